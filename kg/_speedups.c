/* kg._speedups: the hot spots of a build, compiled.
 *
 * - CrfDecoder: the character CRF tagger's feature lookup and Viterbi search
 *   (kg/ner.py, kg/crf.py). Given the model's weights and a table of its
 *   features as integer keys, it turns each normalised text piece into label
 *   indices with CRFsuite's arithmetic in CRFsuite's order (crf1d_context.c:
 *   a position's label score is 0 plus each present attribute's weight in
 *   feature order; crf1d_viterbi: the first best previous label by strict '<',
 *   then the state score). kg/crf.py holds the pure-Python twin of every step
 *   and tests/test_speedups.py checks both give the same labels.
 * - spring_layout: the sampled Fruchterman-Reingold layout of kg/export/_style.py,
 *   the same floating-point operations in the same order as its pure-Python twin
 *   (compiled with -ffp-contract=off so no multiply-add is fused), so the same
 *   positions to the last bit.
 * - jieba's dictionary route (get_dag, calc, dag_word_ends) and its POS HMM Viterbi
 *   (PosHmm), over WordTable: jieba's prefix dictionary and POS table as one buffer
 *   mapped from a file (kg/segment.py), or over the dicts.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#define N_TEMPLATES 13
#define N_FLAGS 7
#define UNKNOWN_CHAR 0xFFFFu

/* ------------------------------------------------------------------ CRF */

typedef struct {
    PyObject_HEAD
    int n_labels;
    Py_ssize_t n_rows;   /* attributes + 1 */
    double *state;       /* n_rows * n_labels */
    double *trans;       /* n_labels * n_labels */
    uint64_t *keys;      /* open addressing, 0 = empty */
    int32_t *ids;
    size_t mask;
    int32_t bias;        /* -1: absent */
    int32_t flags[N_FLAGS];
    int32_t left, right; /* packed units of the start and end padding */
    int32_t *bmp;        /* packed units by code point below 0x10000, -1 = not yet known */
    PyObject *units_of;  /* code point -> packed units (char index | class << 16 | flag bits << 20) */
    /* kg.ner.CrfTagger.tag_many's steps around decoding (set by set_spans) */
    PyObject *normalize;  /* code point -> code point of kg.ner.normalize_char */
    int32_t *norm_bmp;    /* its answers below 0x10000, -1 = not yet known */
    PyObject *sentence_end, *clause_end; /* str of split_chunks' break characters */
    Py_ssize_t max_chunk;
    uint8_t label_kind[256]; /* 0 for "O"; 'B', 'S', 'E' for those prefixes of "B-LOC" etc.; 'X' else */
    int label_type[256];     /* index into types of the part after '-' */
    PyObject *types;         /* tuple of type names */
    uint8_t *type_kept;      /* 1 for the types tag_many returns */
} CrfDecoder;

/* Work space of one decode call (its own, so a call re-entered from units_of's Python code is safe). */
typedef struct {
    int32_t *units;
    double *score, *alpha;
    int32_t *back;
} Work;

static inline uint64_t mix(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static inline int32_t find(const CrfDecoder *self, uint64_t key) {
    size_t i = (size_t)mix(key) & self->mask;
    for (;;) {
        uint64_t k = self->keys[i];
        if (k == key) return self->ids[i];
        if (k == 0) return -1;
        i = (i + 1) & self->mask;
    }
}

static void CrfDecoder_dealloc(CrfDecoder *self) {
    PyMem_Free(self->state);
    PyMem_Free(self->trans);
    PyMem_Free(self->keys);
    PyMem_Free(self->ids);
    PyMem_Free(self->bmp);
    Py_XDECREF(self->units_of);
    PyMem_Free(self->norm_bmp);
    PyMem_Free(self->type_kept);
    Py_XDECREF(self->normalize);
    Py_XDECREF(self->sentence_end);
    Py_XDECREF(self->clause_end);
    Py_XDECREF(self->types);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int read_buffer(PyObject *obj, void *dst, Py_ssize_t size, const char *what) {
    Py_buffer view;
    if (PyObject_GetBuffer(obj, &view, PyBUF_SIMPLE) < 0) return -1;
    if (view.len != size) {
        PyErr_Format(PyExc_ValueError, "%s: %zd bytes where %zd were expected", what, view.len, size);
        PyBuffer_Release(&view);
        return -1;
    }
    memcpy(dst, view.buf, (size_t)size);
    PyBuffer_Release(&view);
    return 0;
}

/* CrfDecoder(n_labels, state, transition, keys, ids, bias, flags, left, right, units_of)
 * state: doubles, rows of n_labels per attribute; transition: n_labels * n_labels doubles;
 * keys: uint64 feature keys, ids: int32 attribute ids (same count); flags: 7 int32 ids (-1 absent). */
static int CrfDecoder_init(CrfDecoder *self, PyObject *args, PyObject *kwds) {
    int n_labels, bias, left, right;
    PyObject *state, *trans, *keys, *ids, *flags, *units_of;
    if (!PyArg_ParseTuple(args, "iOOOOiOiiO", &n_labels, &state, &trans, &keys, &ids, &bias, &flags, &left, &right,
                          &units_of))
        return -1;
    if (self->state) {
        PyErr_SetString(PyExc_RuntimeError, "CrfDecoder is already initialised");
        return -1;
    }
    if (n_labels < 1 || n_labels > 255) {
        PyErr_SetString(PyExc_ValueError, "between 1 and 255 labels");
        return -1;
    }
    if (!PyCallable_Check(units_of)) {
        PyErr_SetString(PyExc_TypeError, "units_of must be callable");
        return -1;
    }
    Py_buffer sv, kv, iv;
    if (PyObject_GetBuffer(state, &sv, PyBUF_SIMPLE) < 0) return -1;
    Py_ssize_t row = (Py_ssize_t)sizeof(double) * n_labels;
    if (sv.len % row != 0 || sv.len == 0) {
        PyBuffer_Release(&sv);
        PyErr_SetString(PyExc_ValueError, "state: not whole rows of weights");
        return -1;
    }
    self->n_labels = n_labels;
    self->n_rows = sv.len / row;
    self->state = PyMem_Malloc((size_t)sv.len);
    if (!self->state) {
        PyBuffer_Release(&sv);
        PyErr_NoMemory();
        return -1;
    }
    memcpy(self->state, sv.buf, (size_t)sv.len);
    PyBuffer_Release(&sv);
    self->trans = PyMem_Malloc(sizeof(double) * n_labels * n_labels);
    if (!self->trans) {
        PyErr_NoMemory();
        return -1;
    }
    if (read_buffer(trans, self->trans, (Py_ssize_t)sizeof(double) * n_labels * n_labels, "transition") < 0) return -1;
    int32_t fl[N_FLAGS];
    if (read_buffer(flags, fl, (Py_ssize_t)sizeof(fl), "flags") < 0) return -1;
    memcpy(self->flags, fl, sizeof(fl));
    if (PyObject_GetBuffer(keys, &kv, PyBUF_SIMPLE) < 0) return -1;
    if (PyObject_GetBuffer(ids, &iv, PyBUF_SIMPLE) < 0) {
        PyBuffer_Release(&kv);
        return -1;
    }
    Py_ssize_t n = kv.len / 8;
    if (kv.len % 8 || iv.len != n * 4) {
        PyBuffer_Release(&kv);
        PyBuffer_Release(&iv);
        PyErr_SetString(PyExc_ValueError, "keys and ids differ in count");
        return -1;
    }
    size_t size = 16;
    while (size < (size_t)n * 2) size <<= 1;
    self->mask = size - 1;
    self->keys = PyMem_Calloc(size, sizeof(uint64_t));
    self->ids = PyMem_Calloc(size, sizeof(int32_t));
    self->bmp = PyMem_Malloc(sizeof(int32_t) * 0x10000);
    if (!self->keys || !self->ids || !self->bmp) {
        PyBuffer_Release(&kv);
        PyBuffer_Release(&iv);
        PyErr_NoMemory();
        return -1;
    }
    memset(self->bmp, 0xFF, sizeof(int32_t) * 0x10000);
    const uint64_t *ks = kv.buf;
    const int32_t *is = iv.buf;
    for (Py_ssize_t j = 0; j < n; j++) {
        if (ks[j] == 0 || is[j] < 0 || is[j] >= self->n_rows) {
            PyBuffer_Release(&kv);
            PyBuffer_Release(&iv);
            PyErr_SetString(PyExc_ValueError, "a feature key is 0 or its id is out of range");
            return -1;
        }
        size_t i = (size_t)mix(ks[j]) & self->mask;
        while (self->keys[i] != 0 && self->keys[i] != ks[j]) i = (i + 1) & self->mask;
        self->keys[i] = ks[j];
        self->ids[i] = is[j];
    }
    PyBuffer_Release(&kv);
    PyBuffer_Release(&iv);
    for (int f = 0; f < N_FLAGS; f++)
        if (self->flags[f] >= self->n_rows) {
            PyErr_SetString(PyExc_ValueError, "a flag id is out of range");
            return -1;
        }
    if (bias >= self->n_rows) {
        PyErr_SetString(PyExc_ValueError, "the bias id is out of range");
        return -1;
    }
    self->bias = bias;
    self->left = left;
    self->right = right;
    Py_INCREF(units_of);
    Py_XSETREF(self->units_of, units_of);
    return 0;
}

static int32_t unit_of(CrfDecoder *self, Py_UCS4 c) {
    if (c < 0x10000 && self->bmp[c] >= 0) return self->bmp[c];
    PyObject *r = PyObject_CallFunction(self->units_of, "I", (unsigned int)c);
    if (!r) return -1;
    long v = PyLong_AsLong(r);
    Py_DECREF(r);
    if (v == -1 && PyErr_Occurred()) return -1;
    if (v < 0 || v > 0x7FFFFFFF) {
        PyErr_SetString(PyExc_ValueError, "units_of gave a value out of range");
        return -1;
    }
    if (c < 0x10000) self->bmp[c] = (int32_t)v;
    return (int32_t)v;
}

#define V(x) ((uint64_t)(u[x] & 0xFFFF))
#define K(x) ((uint64_t)((u[x] >> 16) & 0xF))
#define BITS(x) ((u[x] >> 20) & 7)
#define KEY(t, k) ((((uint64_t)(t) + 1) << 48) | (k))

static inline void add_row(double *s, const double *w, int L) {
    for (int y = 0; y < L; y++) s[y] += w[y];
}

/* label indices (one byte each) of one normalised piece */
static PyObject *decode_one(CrfDecoder *self, PyObject *piece, Work *w) {
    Py_ssize_t T = PyUnicode_GET_LENGTH(piece);
    if (T == 0) return PyBytes_FromStringAndSize(NULL, 0);
    const int L = self->n_labels;
    int kind = PyUnicode_KIND(piece);
    const void *data = PyUnicode_DATA(piece);
    int32_t *u = w->units;
    u[0] = u[1] = self->left;
    u[T + 2] = u[T + 3] = self->right;
    for (Py_ssize_t i = 0; i < T; i++) {
        int32_t v = unit_of(self, PyUnicode_READ(kind, data, i));
        if (v < 0) return NULL;
        u[i + 2] = v;
    }
    /* state scores: 0 plus each present attribute's weight, in char_features' order */
    for (Py_ssize_t t = 0; t < T; t++) {
        Py_ssize_t j = t + 2;
        double *s = w->score + t * L;
        for (int y = 0; y < L; y++) s[y] = 0.0;
        int32_t a[N_TEMPLATES + N_FLAGS + 1];
        int na = 0;
        if (self->bias >= 0) a[na++] = self->bias;
        int unknown_0 = V(j) == UNKNOWN_CHAR, unknown_m1 = V(j - 1) == UNKNOWN_CHAR, unknown_p1 = V(j + 1) == UNKNOWN_CHAR;
        int unknown_m2 = V(j - 2) == UNKNOWN_CHAR, unknown_p2 = V(j + 2) == UNKNOWN_CHAR;
        int32_t id;
#define TRY(cond, t, k)                          \
    if (cond) {                                  \
        id = find(self, KEY(t, k));              \
        if (id >= 0) a[na++] = id;               \
    }
        TRY(!unknown_0, 0, V(j));
        TRY(!unknown_m1, 1, V(j - 1));
        TRY(!unknown_p1, 2, V(j + 1));
        TRY(!unknown_m2, 3, V(j - 2));
        TRY(!unknown_p2, 4, V(j + 2));
        TRY(!unknown_m2 && !unknown_m1, 5, V(j - 2) << 16 | V(j - 1));
        TRY(!unknown_m1 && !unknown_0, 6, V(j - 1) << 16 | V(j));
        TRY(!unknown_0 && !unknown_p1, 7, V(j) << 16 | V(j + 1));
        TRY(!unknown_p1 && !unknown_p2, 8, V(j + 1) << 16 | V(j + 2));
        TRY(!unknown_m1 && !unknown_0 && !unknown_p1, 9, V(j - 1) << 32 | V(j) << 16 | V(j + 1));
        TRY(1, 10, K(j));
        TRY(1, 11, K(j - 1) << 16 | K(j));
        TRY(1, 12, K(j) << 16 | K(j + 1));
#undef TRY
        /* sn0 sn-1 sn-2 ls0 ls1 os0 os1 */
        int on[N_FLAGS] = {BITS(j) & 1, BITS(j - 1) & 1, BITS(j - 2) & 1, BITS(j) & 2, BITS(j + 1) & 2,
                           BITS(j) & 4, BITS(j + 1) & 4};
        for (int f = 0; f < N_FLAGS; f++)
            if (on[f] && self->flags[f] >= 0) a[na++] = self->flags[f];
        for (int k = 0; k < na; k++) add_row(s, self->state + (Py_ssize_t)a[k] * L, L);
    }
    /* Viterbi, as crf1dc_viterbi */
    double *alpha = w->alpha;
    int32_t *back = w->back;
    for (int y = 0; y < L; y++) alpha[y] = w->score[y];
    for (Py_ssize_t t = 1; t < T; t++) {
        const double *prev = alpha + (t - 1) * L;
        double *cur = alpha + t * L;
        const double *state = w->score + t * L;
        for (int j = 0; j < L; j++) {
            double best = -DBL_MAX;
            int arg = -1;
            for (int i = 0; i < L; i++) {
                double sc = prev[i] + self->trans[i * L + j];
                if (best < sc) {
                    best = sc;
                    arg = i;
                }
            }
            back[t * L + j] = arg < 0 ? 0 : arg;
            cur[j] = best;
        }
        for (int j = 0; j < L; j++) cur[j] += state[j];
    }
    PyObject *out = PyBytes_FromStringAndSize(NULL, T);
    if (!out) return NULL;
    unsigned char *labels = (unsigned char *)PyBytes_AS_STRING(out);
    const double *last = alpha + (T - 1) * L;
    double best = -DBL_MAX;
    int arg = 0;
    for (int i = 0; i < L; i++)
        if (best < last[i]) {
            best = last[i];
            arg = i;
        }
    labels[T - 1] = (unsigned char)arg;
    for (Py_ssize_t t = T - 1; t > 0; t--) labels[t - 1] = (unsigned char)back[t * L + labels[t]];
    return out;
}

static PyObject *CrfDecoder_decode(CrfDecoder *self, PyObject *pieces) {
    if (!self->units_of) { /* set last by a successful __init__ */
        PyErr_SetString(PyExc_RuntimeError, "CrfDecoder is not initialised");
        return NULL;
    }
    PyObject *seq = PySequence_Fast(pieces, "decode takes a sequence of str");
    if (!seq) return NULL;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq), longest = 1;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *piece = PySequence_Fast_GET_ITEM(seq, i);
        if (!PyUnicode_Check(piece)) {
            PyErr_SetString(PyExc_TypeError, "decode takes a sequence of str");
            Py_DECREF(seq);
            return NULL;
        }
        if (PyUnicode_GET_LENGTH(piece) > longest) longest = PyUnicode_GET_LENGTH(piece);
    }
    const int L = self->n_labels;
    Work w = {PyMem_Malloc(sizeof(int32_t) * (longest + 4)), PyMem_Malloc(sizeof(double) * longest * L),
              PyMem_Malloc(sizeof(double) * longest * L), PyMem_Malloc(sizeof(int32_t) * longest * L)};
    PyObject *out = NULL;
    if (!w.units || !w.score || !w.alpha || !w.back) {
        PyErr_NoMemory();
        goto done;
    }
    out = PyList_New(n);
    for (Py_ssize_t i = 0; out && i < n; i++) {
        PyObject *labels = decode_one(self, PySequence_Fast_GET_ITEM(seq, i), &w);
        if (!labels) Py_CLEAR(out);
        else PyList_SET_ITEM(out, i, labels);
    }
done:
    PyMem_Free(w.units);
    PyMem_Free(w.score);
    PyMem_Free(w.alpha);
    PyMem_Free(w.back);
    Py_DECREF(seq);
    return out;
}

/* set_spans(normalize, sentence_end, clause_end, max_chunk, label_kinds, label_types, types, kept):
 * what tag() needs of kg.ner: normalize_char as code point -> code point, split_chunks' break
 * characters and limit, each label's kind (0 for "O", else 'B', 'S', 'E' or 'X' for its prefix; bytes) and type (index into types,
 * bytes), and which types are kept (bytes of 0/1 per type). */
static PyObject *CrfDecoder_set_spans(CrfDecoder *self, PyObject *args) {
    PyObject *normalize, *sentence_end, *clause_end, *types;
    Py_ssize_t max_chunk;
    Py_buffer kinds, ltypes, kept;
    if (!self->units_of) {
        PyErr_SetString(PyExc_RuntimeError, "CrfDecoder is not initialised");
        return NULL;
    }
    if (!PyArg_ParseTuple(args, "OUUny*y*O!y*", &normalize, &sentence_end, &clause_end, &max_chunk, &kinds, &ltypes,
                          &PyTuple_Type, &types, &kept))
        return NULL;
    PyObject *out = NULL;
    Py_ssize_t n_types = PyTuple_GET_SIZE(types);
    if (!PyCallable_Check(normalize) || max_chunk < 2 || kinds.len != self->n_labels ||
        ltypes.len != self->n_labels || kept.len != n_types) {
        PyErr_SetString(PyExc_ValueError, "set_spans: a callable, a chunk limit of 2 or more, one kind and type per label");
        goto done;
    }
    for (int y = 0; y < self->n_labels; y++)
        if (((const uint8_t *)ltypes.buf)[y] >= n_types) {
            PyErr_SetString(PyExc_ValueError, "set_spans: a label's type is out of range");
            goto done;
        }
    if (!self->norm_bmp) {
        self->norm_bmp = PyMem_Malloc(sizeof(int32_t) * 0x10000);
        if (!self->norm_bmp) {
            PyErr_NoMemory();
            goto done;
        }
    }
    memset(self->norm_bmp, 0xFF, sizeof(int32_t) * 0x10000);
    uint8_t *type_kept = PyMem_Malloc(n_types ? n_types : 1);
    if (!type_kept) {
        PyErr_NoMemory();
        goto done;
    }
    memcpy(type_kept, kept.buf, n_types);
    PyMem_Free(self->type_kept);
    self->type_kept = type_kept;
    for (int y = 0; y < self->n_labels; y++) {
        self->label_kind[y] = ((const uint8_t *)kinds.buf)[y];
        self->label_type[y] = ((const uint8_t *)ltypes.buf)[y];
    }
    self->max_chunk = max_chunk;
    Py_INCREF(normalize);
    Py_XSETREF(self->normalize, normalize);
    Py_INCREF(sentence_end);
    Py_XSETREF(self->sentence_end, sentence_end);
    Py_INCREF(clause_end);
    Py_XSETREF(self->clause_end, clause_end);
    Py_INCREF(types);
    Py_XSETREF(self->types, types);
    out = Py_None;
    Py_INCREF(out);
done:
    PyBuffer_Release(&kinds);
    PyBuffer_Release(&ltypes);
    PyBuffer_Release(&kept);
    return out;
}

static int in_str(PyObject *chars, Py_UCS4 c) {
    Py_ssize_t n = PyUnicode_GET_LENGTH(chars);
    int kind = PyUnicode_KIND(chars);
    const void *data = PyUnicode_DATA(chars);
    for (Py_ssize_t i = 0; i < n; i++)
        if (PyUnicode_READ(kind, data, i) == c) return 1;
    return 0;
}

/* kg.ner.normalize_char of one code point, or -1 with an exception set */
static int32_t normalized(CrfDecoder *self, Py_UCS4 c) {
    if (c < 0x10000 && self->norm_bmp[c] >= 0) return self->norm_bmp[c];
    PyObject *r = PyObject_CallFunction(self->normalize, "I", (unsigned int)c);
    if (!r) return -1;
    long v = PyLong_AsLong(r);
    Py_DECREF(r);
    if (v == -1 && PyErr_Occurred()) return -1;
    if (v < 0 || v > 0x10FFFF) {
        PyErr_SetString(PyExc_ValueError, "normalize gave no code point");
        return -1;
    }
    if (c < 0x10000) self->norm_bmp[c] = (int32_t)v;
    return (int32_t)v;
}

static int add_span(CrfDecoder *self, PyObject *list, const Py_UCS4 *norm, Py_ssize_t cs, Py_ssize_t s, Py_ssize_t e,
                    int type) {
    if (!self->type_kept[type]) return 0;
    int blank = 1;
    for (Py_ssize_t i = cs + s; i < cs + e; i++)
        if (!Py_UNICODE_ISSPACE(norm[i])) {
            blank = 0;
            break;
        }
    if (blank) return 0;
    PyObject *span = Py_BuildValue("(nnO)", cs + s, cs + e, PyTuple_GET_ITEM(self->types, type));
    if (!span) return -1;
    int rc = PyList_Append(list, span);
    Py_DECREF(span);
    return rc;
}

/* tag(texts) -> [[(start, end, type), ...] per text]: kg.ner.CrfTagger.tag_many's python route
 * (normalise, split_chunks, skip blank chunks, decode, tags_to_spans, keep the kept types over
 * non-blank text), in one pass. */
static PyObject *CrfDecoder_tag(CrfDecoder *self, PyObject *texts) {
    if (!self->units_of || !self->normalize) {
        PyErr_SetString(PyExc_RuntimeError, "CrfDecoder.tag needs __init__ and set_spans first");
        return NULL;
    }
    PyObject *seq = PySequence_Fast(texts, "tag takes a sequence of str");
    if (!seq) return NULL;
    Py_ssize_t n_texts = PySequence_Fast_GET_SIZE(seq);
    const Py_ssize_t M = self->max_chunk;
    const int L = self->n_labels;
    Work w = {PyMem_Malloc(sizeof(int32_t) * (M + 4)), PyMem_Malloc(sizeof(double) * M * L),
              PyMem_Malloc(sizeof(double) * M * L), PyMem_Malloc(sizeof(int32_t) * M * L)};
    Py_UCS4 *norm = NULL;
    Py_ssize_t norm_cap = 0;
    PyObject *out = NULL;
    if (!w.units || !w.score || !w.alpha || !w.back) {
        PyErr_NoMemory();
        goto done;
    }
    out = PyList_New(n_texts);
    for (Py_ssize_t k = 0; out && k < n_texts; k++) {
        PyObject *text = PySequence_Fast_GET_ITEM(seq, k);
        PyObject *spans = NULL;
        if (!PyUnicode_Check(text)) {
            PyErr_SetString(PyExc_TypeError, "tag takes a sequence of str");
            goto fail;
        }
        Py_ssize_t n = PyUnicode_GET_LENGTH(text);
        if (n > norm_cap) {
            Py_UCS4 *grown = PyMem_Realloc(norm, sizeof(Py_UCS4) * n);
            if (!grown) {
                PyErr_NoMemory();
                goto fail;
            }
            norm = grown;
            norm_cap = n;
        }
        int kind = PyUnicode_KIND(text);
        const void *data = PyUnicode_DATA(text);
        for (Py_ssize_t i = 0; i < n; i++) {
            int32_t c = normalized(self, PyUnicode_READ(kind, data, i));
            if (c < 0) goto fail;
            norm[i] = (Py_UCS4)c;
        }
        spans = PyList_New(0);
        if (!spans) goto fail;
        for (Py_ssize_t start = 0; start < n;) {
            /* split_chunks */
            Py_ssize_t end = start, limit = start + M < n ? start + M : n;
            while (end < limit) {
                end++;
                if (in_str(self->sentence_end, norm[end - 1])) break;
            }
            if (end == limit && end < n && !in_str(self->sentence_end, norm[end - 1]))
                for (Py_ssize_t j = end - 1; j > start + M / 2; j--)
                    if (in_str(self->clause_end, norm[j])) {
                        end = j + 1;
                        break;
                    }
            Py_ssize_t cs = start, T = end - start;
            start = end;
            int blank = 1;
            for (Py_ssize_t i = cs; i < cs + T; i++)
                if (!Py_UNICODE_ISSPACE(norm[i])) {
                    blank = 0;
                    break;
                }
            if (blank) continue;
            /* decode the chunk */
            PyObject *piece = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, norm + cs, T);
            if (!piece) goto fail;
            PyObject *labels = decode_one(self, piece, &w);
            Py_DECREF(piece);
            if (!labels) goto fail;
            const unsigned char *lab = (const unsigned char *)PyBytes_AS_STRING(labels);
            /* tags_to_spans */
            Py_ssize_t s0 = -1;
            int typ = -1, bad = 0;
            for (Py_ssize_t i = 0; i < T && !bad; i++) {
                int y = lab[i];
                uint8_t kind_y = self->label_kind[y];
                if (kind_y == 0) { /* the label "O" */
                    if (s0 >= 0) bad = add_span(self, spans, norm, cs, s0, i, typ) < 0;
                    s0 = -1;
                    continue;
                }
                int t = self->label_type[y];
                if (kind_y == 'B' || kind_y == 'S' || s0 < 0 || t != typ) {
                    if (s0 >= 0) bad = add_span(self, spans, norm, cs, s0, i, typ) < 0;
                    s0 = i;
                    typ = t;
                }
                if (!bad && (kind_y == 'E' || kind_y == 'S')) {
                    bad = add_span(self, spans, norm, cs, s0, i + 1, typ) < 0;
                    s0 = -1;
                }
            }
            if (!bad && s0 >= 0) bad = add_span(self, spans, norm, cs, s0, T, typ) < 0;
            Py_DECREF(labels);
            if (bad) goto fail;
        }
        PyList_SET_ITEM(out, k, spans);
        continue;
    fail:
        Py_XDECREF(spans);
        Py_CLEAR(out);
    }
done:
    PyMem_Free(norm);
    PyMem_Free(w.units);
    PyMem_Free(w.score);
    PyMem_Free(w.alpha);
    PyMem_Free(w.back);
    Py_DECREF(seq);
    return out;
}

static PyMethodDef CrfDecoder_methods[] = {
    {"decode", (PyCFunction)CrfDecoder_decode, METH_O,
     "decode(pieces) -> list of bytes: the label index of every character of each normalised piece"},
    {"set_spans", (PyCFunction)CrfDecoder_set_spans, METH_VARARGS, "what tag() needs of kg.ner (see kg/ner.py)"},
    {"tag", (PyCFunction)CrfDecoder_tag, METH_O, "tag(texts) -> spans (start, end, type) of each text"},
    {NULL, NULL, 0, NULL}};

static PyTypeObject CrfDecoderType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "kg._speedups.CrfDecoder",
    .tp_basicsize = sizeof(CrfDecoder),
    .tp_dealloc = (destructor)CrfDecoder_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Feature lookup and Viterbi of a CRFsuite first-order model (see kg/crf.py)",
    .tp_methods = CrfDecoder_methods,
    .tp_init = (initproc)CrfDecoder_init,
    .tp_new = PyType_GenericNew,
};

/* --------------------------------------------------------------- layout */

static inline uint64_t next_random(uint64_t *s) {
    *s += 0x9E3779B97F4A7C15ULL;
    return mix(*s);
}

/* spring_layout(n, edges, iterations, sample, seed) -> (xs, ys): bytes of n doubles each.
 * edges: bytes of int64 (u, v) pairs. See _style._spring_layout, its twin. */
static PyObject *spring_layout(PyObject *module, PyObject *args) {
    Py_ssize_t n;
    Py_buffer ev;
    int iterations, sample;
    unsigned long long seed;
    if (!PyArg_ParseTuple(args, "ny*iiK", &n, &ev, &iterations, &sample, &seed)) return NULL;
    Py_ssize_t n_edges = ev.len / 16;
    const int64_t *edges = ev.buf;
    if (n < 1 || sample < 1 || ev.len % 16) {
        PyBuffer_Release(&ev);
        PyErr_SetString(PyExc_ValueError, "at least one node, a sample of one, whole (u, v) pairs");
        return NULL;
    }
    for (Py_ssize_t e = 0; e < 2 * n_edges; e++)
        if (edges[e] < 0 || edges[e] >= n) {
            PyBuffer_Release(&ev);
            PyErr_SetString(PyExc_ValueError, "an edge end is not a node index");
            return NULL;
        }
    double *x = PyMem_Malloc(sizeof(double) * n), *y = PyMem_Malloc(sizeof(double) * n);
    double *dx = PyMem_Malloc(sizeof(double) * n), *dy = PyMem_Malloc(sizeof(double) * n);
    Py_ssize_t *perm = PyMem_Malloc(sizeof(Py_ssize_t) * n);
    PyObject *out = NULL;
    if (!x || !y || !dx || !dy || !perm) {
        PyErr_NoMemory();
        goto done;
    }
    uint64_t rng = seed;
    for (Py_ssize_t i = 0; i < n; i++) {
        x[i] = (double)(next_random(&rng) >> 11) * (1.0 / 9007199254740992.0);
        y[i] = (double)(next_random(&rng) >> 11) * (1.0 / 9007199254740992.0);
        perm[i] = i;
    }
    Py_ssize_t m = sample < n ? sample : n;
    double k = 1.0 / sqrt((double)n), kk = k * k, spread = (double)n / (double)m;
    double temp = 0.1, cool = temp / (iterations + 1);
    for (int it = 0; it < iterations; it++) {
        if (m < n)
            for (Py_ssize_t i = 0; i < m; i++) {
                Py_ssize_t j = i + (Py_ssize_t)(next_random(&rng) % (uint64_t)(n - i));
                Py_ssize_t tmp = perm[i];
                perm[i] = perm[j];
                perm[j] = tmp;
            }
        for (Py_ssize_t i = 0; i < n; i++) {
            double sx = 0.0, sy = 0.0;
            for (Py_ssize_t p = 0; p < m; p++) {
                Py_ssize_t q = perm[p];
                double ddx = x[i] - x[q], ddy = y[i] - y[q];
                double d2 = ddx * ddx + ddy * ddy;
                if (d2 < 1e-4) d2 = 1e-4;
                double f = kk / d2;
                sx += ddx * f;
                sy += ddy * f;
            }
            dx[i] = sx * spread;
            dy[i] = sy * spread;
        }
        for (Py_ssize_t e = 0; e < n_edges; e++) {
            Py_ssize_t a = (Py_ssize_t)edges[2 * e], b = (Py_ssize_t)edges[2 * e + 1];
            double ddx = x[a] - x[b], ddy = y[a] - y[b];
            double len = sqrt(ddx * ddx + ddy * ddy);
            if (len < 1e-2) len = 1e-2;
            double f = len / k;
            dx[a] -= ddx * f;
            dy[a] -= ddy * f;
            dx[b] += ddx * f;
            dy[b] += ddy * f;
        }
        for (Py_ssize_t i = 0; i < n; i++) {
            double len = sqrt(dx[i] * dx[i] + dy[i] * dy[i]);
            if (len < 1e-9) len = 1e-9;
            double s = (len < temp ? len : temp) / len;
            x[i] += dx[i] * s;
            y[i] += dy[i] * s;
        }
        temp -= cool;
    }
    out = Py_BuildValue("(y#y#)", (const char *)x, (Py_ssize_t)(sizeof(double) * n), (const char *)y,
                        (Py_ssize_t)(sizeof(double) * n));
done:
    PyBuffer_Release(&ev);
    PyMem_Free(x);
    PyMem_Free(y);
    PyMem_Free(dx);
    PyMem_Free(dy);
    PyMem_Free(perm);
    return out;
}

/* ------------------------------------------------------- jieba's routes */

/* The substring sentence[a:b] as a new str. */
static PyObject *substring(PyObject *s, Py_ssize_t a, Py_ssize_t b) { return PyUnicode_Substring(s, a, b); }

/* freq.get(word): 1 when found and non-zero (as jieba's "FREQ[frag]" truth), 0 when found and zero,
 * -1 when absent, -2 on error; *value gets the frequency. */
static int freq_of(PyObject *freq, PyObject *word, long long *value) {
    PyObject *v = PyDict_GetItemWithError(freq, word);
    if (!v) return PyErr_Occurred() ? -2 : -1;
    long long f = PyLong_AsLongLong(v);
    if (f == -1 && PyErr_Occurred()) return -2;
    *value = f;
    return f != 0;
}

/* ---------------------------------------------- jieba's dictionary as one mapped table
 *
 * jieba's prefix dictionary (498,000 words and beginnings of words -> frequency) and its
 * part-of-speech table, as one flat buffer that kg/segment.py keeps in a file and maps
 * into memory: loading it costs nothing and every process shares its pages, where the two
 * dicts took a quarter of a second to load and 100 MB in each process. A WordTable answers
 * what the dicts answered (tests/test_speedups.py compares every key), and the routes below
 * look substrings up in it without making them.
 *
 * Layout (native byte order; kg/segment.py keys the file by the machine):
 *   WtHeader | uint32 slots[nslots] | WtEntry entries[nentries] | uint32 chars[nchars] | tags
 * slots: open addressing by wt_hash, linear probing, 0 = empty, else an entry's index + 1.
 * An entry's key is chars[key .. key + len) (code points); tags: ntags NUL-ended strings. */

#define WT_MAGIC "KGWTAB01"
#define WT_NO_TAG 0xFFFFu

typedef struct {
    char magic[8];
    uint64_t total;
    uint32_t nslots, nentries, nchars, ntags, tagbytes, pad;
} WtHeader;

typedef struct {
    uint32_t hash, key, freq;
    uint16_t len, tag;
} WtEntry;

typedef struct {
    PyObject_HEAD
    Py_buffer view;
    int has_view;
    const WtHeader *head;
    const uint32_t *slots;
    const WtEntry *entries;
    const uint32_t *chars;
    uint32_t mask;
    PyObject *tags; /* tuple of str */
} WordTable;

static PyTypeObject WordTableType;

/* FNV-1a over the code points, then murmur3's finaliser (the slot is taken from the low bits). */
static uint32_t wt_hash(int kind, const void *data, Py_ssize_t a, Py_ssize_t b) {
    uint32_t h = 2166136261u;
    for (Py_ssize_t i = a; i < b; i++) h = (h ^ (uint32_t)PyUnicode_READ(kind, data, i)) * 16777619u;
    h ^= h >> 16;
    h *= 0x85ebca6bu;
    h ^= h >> 13;
    h *= 0xc2b2ae35u;
    h ^= h >> 16;
    return h;
}

/* The entry of the code points data[a:b], or NULL. */
static const WtEntry *wt_find(const WordTable *t, int kind, const void *data, Py_ssize_t a, Py_ssize_t b) {
    Py_ssize_t len = b - a;
    if (len <= 0 || len > 0xFFFF) return NULL;
    uint32_t h = wt_hash(kind, data, a, b);
    for (uint32_t s = h & t->mask;; s = (s + 1) & t->mask) {
        uint32_t v = t->slots[s];
        if (!v) return NULL;
        const WtEntry *e = &t->entries[v - 1];
        if (e->hash == h && e->len == len) {
            const uint32_t *k = t->chars + e->key;
            Py_ssize_t i = 0;
            while (i < len && k[i] == (uint32_t)PyUnicode_READ(kind, data, a + i)) i++;
            if (i == len) return e;
        }
    }
}

/* The entry of the str word, or NULL (also for anything that is not a str). */
static const WtEntry *wt_word(const WordTable *t, PyObject *word) {
    if (!PyUnicode_Check(word)) return NULL;
    return wt_find(t, PyUnicode_KIND(word), PyUnicode_DATA(word), 0, PyUnicode_GET_LENGTH(word));
}

static uint64_t wt_size(const WtHeader *h) {
    return sizeof(WtHeader) + 4ull * h->nslots + (uint64_t)sizeof(WtEntry) * h->nentries + 4ull * h->nchars +
           h->tagbytes;
}

/* WordTable(buffer): checks the layout (every offset inside the buffer), keeps the buffer. */
static int WordTable_init(WordTable *self, PyObject *args, PyObject *kwds) {
    PyObject *source;
    if (!PyArg_ParseTuple(args, "O", &source)) return -1;
    if (self->has_view) {
        PyErr_SetString(PyExc_TypeError, "a WordTable is made once");
        return -1;
    }
    if (PyObject_GetBuffer(source, &self->view, PyBUF_SIMPLE) < 0) return -1;
    self->has_view = 1;
    const char *base = self->view.buf;
    const WtHeader *h = (const WtHeader *)base;
    if ((size_t)self->view.len < sizeof(WtHeader) || ((uintptr_t)base & 7) || memcmp(h->magic, WT_MAGIC, 8) ||
        h->nslots == 0 || (h->nslots & (h->nslots - 1)) || h->nentries >= h->nslots || h->ntags >= WT_NO_TAG ||
        wt_size(h) != (uint64_t)self->view.len) {
        PyErr_SetString(PyExc_ValueError, "not a word table (or a damaged one)");
        return -1;
    }
    self->slots = (const uint32_t *)(base + sizeof(WtHeader));
    self->entries = (const WtEntry *)(self->slots + h->nslots);
    self->chars = (const uint32_t *)(self->entries + h->nentries);
    self->mask = h->nslots - 1;
    /* each entry in one slot: then the other slots are empty, and every probe ends */
    uint32_t used = 0;
    for (uint32_t s = 0; s < h->nslots; s++) {
        if (self->slots[s] > h->nentries) goto bad;
        used += self->slots[s] != 0;
    }
    if (used != h->nentries) goto bad;
    for (uint32_t i = 0; i < h->nentries; i++) {
        const WtEntry *e = &self->entries[i];
        if (e->len == 0 || (uint64_t)e->key + e->len > h->nchars || (e->tag != WT_NO_TAG && e->tag >= h->ntags))
            goto bad;
    }
    for (uint32_t i = 0; i < h->nchars; i++)
        if (self->chars[i] > 0x10FFFF) goto bad;
    const char *tag = (const char *)(self->chars + h->nchars), *stop = tag + h->tagbytes;
    self->tags = PyTuple_New(h->ntags);
    if (!self->tags) return -1;
    for (uint32_t i = 0; i < h->ntags; i++) {
        const char *nul = memchr(tag, 0, stop - tag);
        if (!nul) goto bad;
        PyObject *str = PyUnicode_DecodeASCII(tag, nul - tag, NULL);
        if (!str) goto bad;
        PyUnicode_InternInPlace(&str);
        PyTuple_SET_ITEM(self->tags, i, str);
        tag = nul + 1;
    }
    if (tag != stop) goto bad;
    self->head = h; /* usable only once checked */
    return 0;
bad:
    PyErr_Clear();
    PyErr_SetString(PyExc_ValueError, "not a word table (or a damaged one)");
    return -1;
}

static void WordTable_dealloc(WordTable *self) {
    Py_XDECREF(self->tags);
    if (self->has_view) PyBuffer_Release(&self->view);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int wt_ready(WordTable *self) {
    if (!self->head) PyErr_SetString(PyExc_ValueError, "an empty WordTable");
    return self->head != NULL;
}

/* The entry of args[0] for get(word, default=None) and tag(word, default=None); *ok = 0 on an error. */
static const WtEntry *wt_call(WordTable *self, PyObject *const *args, Py_ssize_t nargs, const char *usage, int *ok) {
    if (nargs < 1 || nargs > 2) {
        PyErr_SetString(PyExc_TypeError, usage);
        *ok = 0;
        return NULL;
    }
    *ok = wt_ready(self);
    return *ok ? wt_word(self, args[0]) : NULL;
}

/* get(word, default=None): the frequency (0 for a beginning that is no word), as dict.get */
static PyObject *WordTable_get(WordTable *self, PyObject *const *args, Py_ssize_t nargs) {
    int ok;
    const WtEntry *e = wt_call(self, args, nargs, "get(word, default=None)", &ok);
    if (!ok) return NULL;
    if (e) return PyLong_FromUnsignedLong(e->freq);
    PyObject *dflt = nargs == 2 ? args[1] : Py_None;
    Py_INCREF(dflt);
    return dflt;
}

/* tag(word, default=None): the word's part of speech, as the POS table's get */
static PyObject *WordTable_tag(WordTable *self, PyObject *const *args, Py_ssize_t nargs) {
    int ok;
    const WtEntry *e = wt_call(self, args, nargs, "tag(word, default=None)", &ok);
    if (!ok) return NULL;
    PyObject *out = e && e->tag != WT_NO_TAG ? PyTuple_GET_ITEM(self->tags, e->tag) : nargs == 2 ? args[1] : Py_None;
    Py_INCREF(out);
    return out;
}

static int WordTable_contains(WordTable *self, PyObject *word) {
    if (!wt_ready(self)) return -1;
    return wt_word(self, word) != NULL;
}

static PyObject *WordTable_subscript(WordTable *self, PyObject *word) {
    if (!wt_ready(self)) return NULL;
    const WtEntry *e = wt_word(self, word);
    if (!e) {
        PyErr_SetObject(PyExc_KeyError, word);
        return NULL;
    }
    return PyLong_FromUnsignedLong(e->freq);
}

static Py_ssize_t WordTable_length(WordTable *self) { return self->head ? (Py_ssize_t)self->head->nentries : 0; }

static PyObject *WordTable_total(WordTable *self, void *closure) {
    if (!wt_ready(self)) return NULL;
    return PyLong_FromUnsignedLongLong(self->head->total);
}

/* build_word_table(freq, tags, total) -> bytes: the table of the dicts freq {word: frequency} and
 * tags {word: part of speech} (every word of tags in freq), entries in freq's order. */
static PyObject *build_word_table(PyObject *module, PyObject *args) {
    PyObject *freq, *tags, *index = NULL, *names = NULL, *out = NULL;
    unsigned long long total;
    if (!PyArg_ParseTuple(args, "O!O!K", &PyDict_Type, &freq, &PyDict_Type, &tags, &total)) return NULL;
    Py_ssize_t n = PyDict_GET_SIZE(freq), pos = 0;
    PyObject *k, *v;
    uint64_t nchars = 0;
    while (PyDict_Next(freq, &pos, &k, &v)) {
        if (!PyUnicode_Check(k) || PyUnicode_GET_LENGTH(k) == 0 || PyUnicode_GET_LENGTH(k) > 0xFFFF ||
            !PyLong_Check(v)) {
            PyErr_SetString(PyExc_ValueError, "freq must map non-empty str to int");
            return NULL;
        }
        unsigned long long f = PyLong_AsUnsignedLongLong(v);
        if (PyErr_Occurred() || f > 0xFFFFFFFFull) {
            PyErr_Clear();
            PyErr_SetString(PyExc_ValueError, "a frequency outside 0 .. 2**32-1");
            return NULL;
        }
        nchars += PyUnicode_GET_LENGTH(k);
    }
    /* the parts of speech, sorted, each a number */
    index = PyDict_New();
    names = PyList_New(0);
    if (!index || !names) goto done;
    pos = 0;
    while (PyDict_Next(tags, &pos, &k, &v)) {
        if (!PyUnicode_Check(v) || !PyUnicode_IS_ASCII(v) || PyUnicode_FindChar(v, 0, 0, PyUnicode_GET_LENGTH(v), 1) != -1) {
            PyErr_SetString(PyExc_ValueError, "a part of speech that is not ASCII text");
            goto done;
        }
        int has = PyDict_Contains(freq, k);
        if (has <= 0) {
            if (has == 0) PyErr_SetString(PyExc_ValueError, "a tagged word that is not in freq");
            goto done;
        }
        if (!PyDict_GetItemWithError(index, v)) {
            if (PyErr_Occurred() || PyDict_SetItem(index, v, Py_None) < 0 || PyList_Append(names, v) < 0) goto done;
        }
    }
    if (PyList_Sort(names) < 0) goto done;
    Py_ssize_t ntags = PyList_GET_SIZE(names), tagbytes = 0;
    if (ntags >= WT_NO_TAG) {
        PyErr_SetString(PyExc_ValueError, "too many parts of speech");
        goto done;
    }
    for (Py_ssize_t i = 0; i < ntags; i++) {
        PyObject *num = PyLong_FromSsize_t(i);
        if (!num || PyDict_SetItem(index, PyList_GET_ITEM(names, i), num) < 0) {
            Py_XDECREF(num);
            goto done;
        }
        Py_DECREF(num);
        tagbytes += PyUnicode_GET_LENGTH(PyList_GET_ITEM(names, i)) + 1;
    }
    uint32_t nslots = 8;
    while (nslots < 2ull * (uint64_t)n) {
        if (nslots >= 0x80000000u || nchars > 0xFFFFFFFFull) {
            PyErr_SetString(PyExc_ValueError, "too many words for a word table");
            goto done;
        }
        nslots *= 2;
    }
    WtHeader head = {{0}, total, nslots, (uint32_t)n, (uint32_t)nchars, (uint32_t)ntags, (uint32_t)tagbytes, 0};
    memcpy(head.magic, WT_MAGIC, 8);
    out = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)wt_size(&head));
    if (!out) goto done;
    char *base = PyBytes_AS_STRING(out);
    memset(base, 0, (size_t)wt_size(&head));
    memcpy(base, &head, sizeof head);
    uint32_t *slots = (uint32_t *)(base + sizeof(WtHeader));
    WtEntry *entries = (WtEntry *)(slots + nslots);
    uint32_t *chars = (uint32_t *)(entries + n);
    char *tagtext = (char *)(chars + nchars);
    for (Py_ssize_t i = 0; i < ntags; i++) {
        PyObject *name = PyList_GET_ITEM(names, i);
        memcpy(tagtext, PyUnicode_DATA(name), PyUnicode_GET_LENGTH(name));
        tagtext += PyUnicode_GET_LENGTH(name) + 1;
    }
    uint32_t at = 0, i = 0, mask = nslots - 1;
    pos = 0;
    while (PyDict_Next(freq, &pos, &k, &v)) {
        int kind = PyUnicode_KIND(k);
        const void *data = PyUnicode_DATA(k);
        Py_ssize_t len = PyUnicode_GET_LENGTH(k);
        WtEntry *e = &entries[i];
        e->hash = wt_hash(kind, data, 0, len);
        e->key = at;
        e->len = (uint16_t)len;
        e->freq = (uint32_t)PyLong_AsUnsignedLongLong(v);
        e->tag = WT_NO_TAG;
        PyObject *tag = PyDict_GetItemWithError(tags, k);
        if (tag) e->tag = (uint16_t)PyLong_AsLong(PyDict_GetItem(index, tag));
        else if (PyErr_Occurred()) goto fail;
        for (Py_ssize_t c = 0; c < len; c++) chars[at++] = PyUnicode_READ(kind, data, c);
        uint32_t s = e->hash & mask;
        while (slots[s]) s = (s + 1) & mask;
        slots[s] = ++i;
    }
    goto done;
fail:
    Py_CLEAR(out);
done:
    Py_XDECREF(index);
    Py_XDECREF(names);
    return out;
}

static PyMethodDef WordTable_methods[] = {
    {"get", (PyCFunction)(void (*)(void))WordTable_get, METH_FASTCALL,
     "get(word, default=None): the word's frequency (0: only the beginning of words), as dict.get"},
    {"tag", (PyCFunction)(void (*)(void))WordTable_tag, METH_FASTCALL,
     "tag(word, default=None): the word's part of speech in jieba's dictionary"},
    {NULL, NULL, 0, NULL}};

static PyGetSetDef WordTable_getset[] = {
    {"total", (getter)WordTable_total, NULL, "the sum of the words' frequencies (jieba's Tokenizer.total)", NULL},
    {NULL, NULL, NULL, NULL, NULL}};

static PySequenceMethods WordTable_as_sequence = {.sq_contains = (objobjproc)WordTable_contains};
static PyMappingMethods WordTable_as_mapping = {.mp_length = (lenfunc)WordTable_length,
                                                .mp_subscript = (binaryfunc)WordTable_subscript};

static PyTypeObject WordTableType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "kg._speedups.WordTable",
    .tp_basicsize = sizeof(WordTable),
    .tp_dealloc = (destructor)WordTable_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "WordTable(buffer): jieba's prefix dictionary and POS table, read from build_word_table's bytes",
    .tp_methods = WordTable_methods,
    .tp_getset = WordTable_getset,
    .tp_as_sequence = &WordTable_as_sequence,
    .tp_as_mapping = &WordTable_as_mapping,
    .tp_init = (initproc)WordTable_init,
    .tp_new = PyType_GenericNew,
};

/* The frequency of sentence[a:b] in freq (a dict or a WordTable), as freq_of. */
static int freq_at(PyObject *freq, PyObject *sentence, Py_ssize_t a, Py_ssize_t b, long long *value) {
    if (Py_IS_TYPE(freq, &WordTableType)) {
        const WtEntry *e = wt_find((const WordTable *)freq, PyUnicode_KIND(sentence), PyUnicode_DATA(sentence), a, b);
        if (!e) return -1;
        *value = e->freq;
        return e->freq != 0;
    }
    PyObject *frag = substring(sentence, a, b);
    if (!frag) return -2;
    int found = freq_of(freq, frag, value);
    Py_DECREF(frag);
    return found;
}

/* Doubles the capacity of the DAG's ends (and weights, if given); -1 when out of memory (the old
 * arrays are then still valid, to be freed by the caller). */
static int grow(Py_ssize_t **ends, double **weights, Py_ssize_t *cap) {
    Py_ssize_t *e = PyMem_Realloc(*ends, sizeof(Py_ssize_t) * *cap * 2);
    if (!e) return -1;
    *ends = e;
    if (weights) {
        double *w = PyMem_Realloc(*weights, sizeof(double) * *cap * 2);
        if (!w) return -1;
        *weights = w;
    }
    *cap *= 2;
    return 0;
}

/* The DAG of jieba.Tokenizer.get_DAG as flat arrays: ends[starts[k] .. starts[k+1]) are the last
 * indices of the words that begin at k. With weights_out, (*weights_out)[e] is the frequency calc
 * takes for that word: FREQ's, or 1 for the lone character of a start without a word (whose
 * FREQ is 0 or absent: a non-zero one would have made it a word), so calc_route need not look
 * the words up again. Returns 0, or -1 with an exception set. */
static int build_dag(PyObject *freq, PyObject *sentence, Py_ssize_t n, Py_ssize_t **starts_out, Py_ssize_t **ends_out,
                     double **weights_out) {
    Py_ssize_t cap = n * 2 + 16, used = 0;
    Py_ssize_t *starts = PyMem_Malloc(sizeof(Py_ssize_t) * (n + 1));
    Py_ssize_t *ends = PyMem_Malloc(sizeof(Py_ssize_t) * cap);
    double *weights = weights_out ? PyMem_Malloc(sizeof(double) * cap) : NULL;
    if (!starts || !ends || (weights_out && !weights)) goto nomem;
    for (Py_ssize_t k = 0; k < n; k++) {
        starts[k] = used;
        Py_ssize_t i = k;
        for (;;) {
            if (i >= n) break;
            long long f = 0;
            int found = freq_at(freq, sentence, k, i + 1, &f);
            if (found == -2) goto fail;
            if (found == -1) break;
            if (found == 1) {
                if (used == cap && grow(&ends, weights_out ? &weights : NULL, &cap) < 0) goto nomem;
                if (weights) weights[used] = (double)f;
                ends[used++] = i;
            }
            i++;
        }
        if (used == starts[k]) {
            if (used == cap && grow(&ends, weights_out ? &weights : NULL, &cap) < 0) goto nomem;
            if (weights) weights[used] = 1.0;
            ends[used++] = k;
        }
    }
    starts[n] = used;
    *starts_out = starts;
    *ends_out = ends;
    if (weights_out) *weights_out = weights;
    return 0;
nomem:
    PyErr_NoMemory();
fail:
    PyMem_Free(starts);
    PyMem_Free(ends);
    PyMem_Free(weights);
    return -1;
}

/* jieba.Tokenizer.calc over the flat DAG: route_end[idx] and route_score[idx], as
 * max((log(FREQ.get(sentence[idx:x+1]) or 1) - logtotal + route[x+1][0], x) for x in DAG[idx]). */
static int calc_route(PyObject *freq, double logtotal, PyObject *sentence, Py_ssize_t n, const Py_ssize_t *starts,
                      const Py_ssize_t *ends, const double *weights, double *score, Py_ssize_t *end) {
    score[n] = 0.0;
    end[n] = 0;
    for (Py_ssize_t idx = n - 1; idx >= 0; idx--) {
        double best = 0.0;
        Py_ssize_t arg = -1;
        for (Py_ssize_t e = starts[idx]; e < starts[idx + 1]; e++) {
            Py_ssize_t x = ends[e];
            double weight;
            if (weights) {
                weight = weights[e];
            } else {
                long long f = 0;
                int found = freq_at(freq, sentence, idx, x + 1, &f);
                if (found == -2) return -1;
                weight = found == 1 ? (double)f : 1.0;
            }
            double sc = log(weight) - logtotal + score[x + 1];
            if (arg < 0 || sc > best || (sc == best && x > arg)) {
                best = sc;
                arg = x;
            }
        }
        score[idx] = best;
        end[idx] = arg;
    }
    return 0;
}

static int check_route_args(PyObject *freq, PyObject *sentence) {
    if (!(PyDict_Check(freq) || (Py_IS_TYPE(freq, &WordTableType) && wt_ready((WordTable *)freq))) ||
        !PyUnicode_Check(sentence)) {
        if (!PyErr_Occurred()) PyErr_SetString(PyExc_TypeError, "a dict of frequencies (or a WordTable) and a str");
        return -1;
    }
    return 0;
}

/* dag_words_ends(freq, logtotal, sentence) -> list of the end offsets (exclusive) of the words of
 * jieba's best route through its DAG (Tokenizer.get_DAG then Tokenizer.calc, walked from 0). */
static PyObject *dag_word_ends(PyObject *module, PyObject *args) {
    PyObject *freq, *sentence;
    double logtotal;
    if (!PyArg_ParseTuple(args, "OdO", &freq, &logtotal, &sentence)) return NULL;
    if (check_route_args(freq, sentence) < 0) return NULL;
    Py_ssize_t n = PyUnicode_GET_LENGTH(sentence);
    Py_ssize_t *starts = NULL, *ends = NULL, *end = NULL;
    double *score = NULL, *weights = NULL;
    PyObject *out = NULL;
    if (build_dag(freq, sentence, n, &starts, &ends, &weights) < 0) return NULL;
    score = PyMem_Malloc(sizeof(double) * (n + 1));
    end = PyMem_Malloc(sizeof(Py_ssize_t) * (n + 1));
    if (!score || !end) {
        PyErr_NoMemory();
        goto done;
    }
    if (calc_route(freq, logtotal, sentence, n, starts, ends, weights, score, end) < 0) goto done;
    out = PyList_New(0);
    if (!out) goto done;
    for (Py_ssize_t x = 0; x < n;) {
        Py_ssize_t y = end[x] + 1;
        PyObject *v = PyLong_FromSsize_t(y);
        if (!v || PyList_Append(out, v) < 0) {
            Py_XDECREF(v);
            Py_CLEAR(out);
            goto done;
        }
        Py_DECREF(v);
        x = y;
    }
done:
    PyMem_Free(starts);
    PyMem_Free(ends);
    PyMem_Free(weights);
    PyMem_Free(score);
    PyMem_Free(end);
    return out;
}

/* get_dag(freq, sentence) -> {k: [ends]}: jieba.Tokenizer.get_DAG. */
static PyObject *get_dag(PyObject *module, PyObject *args) {
    PyObject *freq, *sentence;
    if (!PyArg_ParseTuple(args, "OO", &freq, &sentence)) return NULL;
    if (check_route_args(freq, sentence) < 0) return NULL;
    Py_ssize_t n = PyUnicode_GET_LENGTH(sentence);
    Py_ssize_t *starts = NULL, *ends = NULL;
    if (build_dag(freq, sentence, n, &starts, &ends, NULL) < 0) return NULL;
    PyObject *dag = PyDict_New();
    for (Py_ssize_t k = 0; dag && k < n; k++) {
        PyObject *list = PyList_New(starts[k + 1] - starts[k]);
        PyObject *key = PyLong_FromSsize_t(k);
        int ok = list && key;
        for (Py_ssize_t e = starts[k]; ok && e < starts[k + 1]; e++) {
            PyObject *v = PyLong_FromSsize_t(ends[e]);
            if (!v) ok = 0;
            else PyList_SET_ITEM(list, e - starts[k], v);
        }
        if (!ok || PyDict_SetItem(dag, key, list) < 0) Py_CLEAR(dag);
        Py_XDECREF(list);
        Py_XDECREF(key);
    }
    PyMem_Free(starts);
    PyMem_Free(ends);
    return dag;
}

/* calc(freq, logtotal, sentence, dag, route): jieba.Tokenizer.calc, filling route {idx: (score, end)}. */
static PyObject *calc(PyObject *module, PyObject *args) {
    PyObject *freq, *sentence, *dag, *route;
    double logtotal;
    if (!PyArg_ParseTuple(args, "OdOOO", &freq, &logtotal, &sentence, &dag, &route)) return NULL;
    if (check_route_args(freq, sentence) < 0) return NULL;
    if (!PyDict_Check(route)) {
        PyErr_SetString(PyExc_TypeError, "route must be a dict");
        return NULL;
    }
    Py_ssize_t n = PyUnicode_GET_LENGTH(sentence);
    Py_ssize_t total = 0;
    Py_ssize_t *starts = PyMem_Malloc(sizeof(Py_ssize_t) * (n + 1)), *ends = NULL, *end = NULL;
    double *score = NULL;
    PyObject *result = NULL;
    if (!starts) return PyErr_NoMemory();
    PyObject **lists = PyMem_Calloc(n + 1, sizeof(PyObject *));
    if (!lists) {
        PyMem_Free(starts);
        return PyErr_NoMemory();
    }
    for (Py_ssize_t k = 0; k < n; k++) {
        PyObject *key = PyLong_FromSsize_t(k);
        if (!key) goto done;
        PyObject *list = PyObject_GetItem(dag, key);
        Py_DECREF(key);
        if (!list) goto done;
        lists[k] = PySequence_Fast(list, "a DAG entry must be a list");
        Py_DECREF(list);
        if (!lists[k]) goto done;
        starts[k] = total;
        total += PySequence_Fast_GET_SIZE(lists[k]);
    }
    starts[n] = total;
    ends = PyMem_Malloc(sizeof(Py_ssize_t) * (total + 1));
    score = PyMem_Malloc(sizeof(double) * (n + 1));
    end = PyMem_Malloc(sizeof(Py_ssize_t) * (n + 1));
    if (!ends || !score || !end) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t k = 0; k < n; k++)
        for (Py_ssize_t e = 0; e < PySequence_Fast_GET_SIZE(lists[k]); e++) {
            Py_ssize_t x = PyLong_AsSsize_t(PySequence_Fast_GET_ITEM(lists[k], e));
            if (x == -1 && PyErr_Occurred()) goto done;
            if (x < k || x >= n) {
                PyErr_SetString(PyExc_ValueError, "a DAG end is outside the sentence");
                goto done;
            }
            ends[starts[k] + e] = x;
        }
    for (Py_ssize_t k = 0; k < n; k++)
        if (starts[k + 1] == starts[k]) {
            PyErr_SetString(PyExc_ValueError, "a DAG entry is empty");
            goto done;
        }
    if (calc_route(freq, logtotal, sentence, n, starts, ends, NULL, score, end) < 0) goto done;
    for (Py_ssize_t idx = n; idx >= 0; idx--) {
        PyObject *item = idx == n ? Py_BuildValue("(ii)", 0, 0) : Py_BuildValue("(dn)", score[idx], end[idx]);
        PyObject *key = PyLong_FromSsize_t(idx);
        int bad = !item || !key || PyDict_SetItem(route, key, item) < 0;
        Py_XDECREF(item);
        Py_XDECREF(key);
        if (bad) goto done;
    }
    result = Py_None;
    Py_INCREF(result);
done:
    for (Py_ssize_t k = 0; k <= n; k++) Py_XDECREF(lists[k]);
    PyMem_Free(lists);
    PyMem_Free(starts);
    PyMem_Free(ends);
    PyMem_Free(score);
    PyMem_Free(end);
    return result;
}

/* ------------------------------------------------- jieba.posseg's Viterbi */

#define MIN_FLOAT (-3.14e100)

typedef struct {
    PyObject_HEAD
    int n;                 /* states, numbered in the sorted order of jieba's (position, tag) tuples */
    double *start;         /* n */
    double *trans;         /* n * n, -inf where jieba has no transition */
    int *next_start;       /* n + 1: next_ids[next_start[y] ..] are the states with a transition from y */
    uint16_t *next_ids;
    int32_t *char_at;      /* per BMP code point: offset into char_pool, -1 = every state */
    uint16_t *char_pool;   /* count, then ids */
    uint64_t *emit_keys;   /* (state + 1) << 32 | code point, 0 = empty */
    double *emit_vals;
    size_t emit_mask;
    int ready;             /* __init__ succeeded */
} PosHmm;

static void PosHmm_dealloc(PosHmm *self) {
    PyMem_Free(self->start);
    PyMem_Free(self->trans);
    PyMem_Free(self->next_start);
    PyMem_Free(self->next_ids);
    PyMem_Free(self->char_at);
    PyMem_Free(self->char_pool);
    PyMem_Free(self->emit_keys);
    PyMem_Free(self->emit_vals);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

/* PosHmm(n, start, trans, has, char_codes, char_offsets, char_pool, emit_keys, emit_vals)
 * start: n doubles; trans: n*n doubles (-inf: none); has: n*n bytes, 1 where jieba lists a transition
 * (whatever its score: it counts in jieba's len(trans_p[x])); char_codes/char_offsets: int32 pairs (code point,
 * offset into char_pool, a uint16 count then ids); emit_keys: uint64 (state + 1) << 32 | code; emit_vals: doubles */
static int PosHmm_init(PosHmm *self, PyObject *args, PyObject *kwds) {
    int n;
    Py_buffer sb, tb, hb, ccb, cob, cpb, ekb, evb;
    if (self->start) {
        PyErr_SetString(PyExc_RuntimeError, "PosHmm is already initialised");
        return -1;
    }
    if (!PyArg_ParseTuple(args, "iy*y*y*y*y*y*y*y*", &n, &sb, &tb, &hb, &ccb, &cob, &cpb, &ekb, &evb)) return -1;
    int rc = -1;
    if (n < 1 || n > 65535 || sb.len != (Py_ssize_t)sizeof(double) * n ||
        tb.len != (Py_ssize_t)sizeof(double) * n * n || hb.len != (Py_ssize_t)n * n || ccb.len != cob.len || ccb.len % 4 || cpb.len % 2 ||
        ekb.len % 8 || evb.len != ekb.len) {
        PyErr_SetString(PyExc_ValueError, "PosHmm: tables of the wrong sizes");
        goto done;
    }
    self->n = n;
    self->start = PyMem_Malloc(sb.len);
    self->trans = PyMem_Malloc(tb.len);
    self->next_start = PyMem_Malloc(sizeof(int) * (n + 1));
    self->next_ids = PyMem_Malloc(sizeof(uint16_t) * n * n);
    self->char_at = PyMem_Malloc(sizeof(int32_t) * 0x10000);
    self->char_pool = PyMem_Malloc(cpb.len + 2);
    Py_ssize_t ne = ekb.len / 8;
    size_t size = 16;
    while (size < (size_t)ne * 2) size <<= 1;
    self->emit_mask = size - 1;
    self->emit_keys = PyMem_Calloc(size, sizeof(uint64_t));
    self->emit_vals = PyMem_Calloc(size, sizeof(double));
    if (!self->start || !self->trans || !self->next_start || !self->next_ids || !self->char_at || !self->char_pool ||
        !self->emit_keys || !self->emit_vals) {
        PyErr_NoMemory();
        goto done;
    }
    memcpy(self->start, sb.buf, sb.len);
    memcpy(self->trans, tb.buf, tb.len);
    int used = 0;
    for (int y = 0; y < n; y++) {
        self->next_start[y] = used;
        for (int j = 0; j < n; j++)
            if (((const uint8_t *)hb.buf)[y * n + j]) self->next_ids[used++] = (uint16_t)j;
    }
    self->next_start[n] = used;
    memset(self->char_at, 0xFF, sizeof(int32_t) * 0x10000);
    memcpy(self->char_pool, cpb.buf, cpb.len);
    Py_ssize_t pool_len = cpb.len / 2;
    const int32_t *codes = ccb.buf, *offsets = cob.buf;
    for (Py_ssize_t i = 0; i < ccb.len / 4; i++) {
        if (codes[i] < 0 || codes[i] >= 0x10000 || offsets[i] < 0 || offsets[i] >= pool_len ||
            offsets[i] + 1 + self->char_pool[offsets[i]] > pool_len) {
            PyErr_SetString(PyExc_ValueError, "PosHmm: a character's states are out of range");
            goto done;
        }
        for (int k = 0; k < self->char_pool[offsets[i]]; k++)
            if (self->char_pool[offsets[i] + 1 + k] >= n) {
                PyErr_SetString(PyExc_ValueError, "PosHmm: a state id is out of range");
                goto done;
            }
        self->char_at[codes[i]] = offsets[i];
    }
    const uint64_t *ek = ekb.buf;
    const double *ev = evb.buf;
    for (Py_ssize_t i = 0; i < ne; i++) {
        if (ek[i] == 0) {
            PyErr_SetString(PyExc_ValueError, "PosHmm: an emission key is 0");
            goto done;
        }
        size_t h = (size_t)mix(ek[i]) & self->emit_mask;
        while (self->emit_keys[h] != 0 && self->emit_keys[h] != ek[i]) h = (h + 1) & self->emit_mask;
        self->emit_keys[h] = ek[i];
        self->emit_vals[h] = ev[i];
    }
    rc = 0;
    self->ready = 1;
done:
    PyBuffer_Release(&sb);
    PyBuffer_Release(&tb);
    PyBuffer_Release(&hb);
    PyBuffer_Release(&ccb);
    PyBuffer_Release(&cob);
    PyBuffer_Release(&cpb);
    PyBuffer_Release(&ekb);
    PyBuffer_Release(&evb);
    return rc;
}

static inline double emission(const PosHmm *self, int y, Py_UCS4 c) {
    uint64_t key = ((uint64_t)(y + 1) << 32) | c;
    size_t h = (size_t)mix(key) & self->emit_mask;
    for (;;) {
        uint64_t k = self->emit_keys[h];
        if (k == key) return self->emit_vals[h];
        if (k == 0) return MIN_FLOAT;
        h = (h + 1) & self->emit_mask;
    }
}

/* viterbi(sentence) -> bytes of uint16 state ids (native order), or None for a character beyond the BMP
 * (the caller then takes the pure-Python route). jieba.posseg.viterbi: the same sums, the same order,
 * max over (score, previous state) tuples. */
static PyObject *PosHmm_viterbi(PosHmm *self, PyObject *sentence) {
    if (!self->ready) {
        PyErr_SetString(PyExc_RuntimeError, "PosHmm is not initialised");
        return NULL;
    }
    if (!PyUnicode_Check(sentence)) {
        PyErr_SetString(PyExc_TypeError, "viterbi takes a str");
        return NULL;
    }
    Py_ssize_t T = PyUnicode_GET_LENGTH(sentence);
    if (T == 0) Py_RETURN_NONE;
    int kind = PyUnicode_KIND(sentence);
    const void *data = PyUnicode_DATA(sentence);
    for (Py_ssize_t t = 0; t < T; t++)
        if (PyUnicode_READ(kind, data, t) >= 0x10000) Py_RETURN_NONE;
    const int n = self->n;
    double *V = PyMem_Malloc(sizeof(double) * n * T);
    uint16_t *back = PyMem_Malloc(sizeof(uint16_t) * n * T);
    uint8_t *present = PyMem_Calloc((size_t)n * T, 1); /* mem_path[t] has y */
    uint16_t *prev = PyMem_Malloc(sizeof(uint16_t) * n), *obs = PyMem_Malloc(sizeof(uint16_t) * n);
    uint8_t *expect = PyMem_Malloc(n), *allowed = PyMem_Malloc(n);
    PyObject *out = NULL;
    if (!V || !back || !present || !prev || !obs || !expect || !allowed) {
        PyErr_NoMemory();
        goto done;
    }
    Py_UCS4 c = PyUnicode_READ(kind, data, 0);
    int32_t at = self->char_at[c];
    int count = at < 0 ? n : self->char_pool[at];
    for (int k = 0; k < count; k++) {
        int y = at < 0 ? k : self->char_pool[at + 1 + k];
        V[y] = self->start[y] + emission(self, y, c);
        present[y] = 1;
    }
    for (Py_ssize_t t = 1; t < T; t++) {
        const double *Vp = V + (t - 1) * n;
        const uint8_t *pp = present + (t - 1) * n;
        int np = 0;
        memset(expect, 0, n);
        int any_expect = 0;
        for (int y = 0; y < n; y++)
            if (pp[y] && self->next_start[y + 1] > self->next_start[y]) {
                prev[np++] = (uint16_t)y;
                for (int e = self->next_start[y]; e < self->next_start[y + 1]; e++) expect[self->next_ids[e]] = 1;
                any_expect = 1;
            }
        if (np == 0) { /* jieba's max() of nothing: let the pure-Python route raise as jieba does */
            Py_INCREF(Py_None);
            out = Py_None;
            goto done;
        }
        c = PyUnicode_READ(kind, data, t);
        at = self->char_at[c];
        int no = 0;
        if (at < 0) {
            for (int y = 0; y < n; y++)
                if (expect[y]) obs[no++] = (uint16_t)y;
        } else {
            memset(allowed, 0, n);
            for (int k = 0; k < self->char_pool[at]; k++) allowed[self->char_pool[at + 1 + k]] = 1;
            for (int y = 0; y < n; y++)
                if (allowed[y] && expect[y]) obs[no++] = (uint16_t)y;
        }
        if (no == 0) {
            for (int y = 0; y < n; y++)
                if (!any_expect || expect[y]) obs[no++] = (uint16_t)y;
        }
        double *Vt = V + t * n;
        uint16_t *bt = back + t * n;
        uint8_t *pt = present + t * n;
        for (int o = 0; o < no; o++) {
            int y = obs[o];
            double em = emission(self, y, c);
            double best = 0.0;
            int arg = -1;
            for (int q = 0; q < np; q++) {
                int y0 = prev[q];
                double sc = Vp[y0] + self->trans[y0 * n + y] + em;
                if (arg < 0 || sc > best || (sc == best && y0 > arg)) {
                    best = sc;
                    arg = y0;
                }
            }
            Vt[y] = best;
            bt[y] = (uint16_t)arg;
            pt[y] = 1;
        }
    }
    {
        const double *Vl = V + (T - 1) * n;
        const uint8_t *pl = present + (T - 1) * n;
        double best = 0.0;
        int arg = -1;
        for (int y = 0; y < n; y++)
            if (pl[y] && (arg < 0 || Vl[y] > best || (Vl[y] == best && y > arg))) {
                best = Vl[y];
                arg = y;
            }
        out = PyBytes_FromStringAndSize(NULL, T * 2);
        if (!out) goto done;
        uint16_t *route = (uint16_t *)PyBytes_AS_STRING(out);
        int state = arg;
        for (Py_ssize_t i = T - 1; i >= 0; i--) {
            route[i] = (uint16_t)state;
            if (i > 0) state = back[i * n + state];
        }
    }
done:
    PyMem_Free(V);
    PyMem_Free(back);
    PyMem_Free(present);
    PyMem_Free(prev);
    PyMem_Free(obs);
    PyMem_Free(expect);
    PyMem_Free(allowed);
    return out;
}

static PyMethodDef PosHmm_methods[] = {
    {"viterbi", (PyCFunction)PosHmm_viterbi, METH_O,
     "viterbi(sentence) -> bytes of uint16 state ids, or None where the pure-Python route must decide"},
    {NULL, NULL, 0, NULL}};

static PyTypeObject PosHmmType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "kg._speedups.PosHmm",
    .tp_basicsize = sizeof(PosHmm),
    .tp_dealloc = (destructor)PosHmm_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "jieba.posseg's HMM Viterbi (see kg/posseg.py)",
    .tp_methods = PosHmm_methods,
    .tp_init = (initproc)PosHmm_init,
    .tp_new = PyType_GenericNew,
};

static PyMethodDef module_methods[] = {
    {"dag_word_ends", dag_word_ends, METH_VARARGS,
     "dag_word_ends(freq, logtotal, sentence) -> ends of the words of jieba's best DAG route"},
    {"get_dag", get_dag, METH_VARARGS, "get_dag(freq, sentence) -> jieba.Tokenizer.get_DAG's dict"},
    {"calc", calc, METH_VARARGS, "calc(freq, logtotal, sentence, dag, route): jieba.Tokenizer.calc"},
    {"build_word_table", build_word_table, METH_VARARGS,
     "build_word_table(freq, tags, total) -> bytes of a WordTable (jieba's prefix dictionary and POS table)"},
    {"spring_layout", spring_layout, METH_VARARGS,
     "spring_layout(n, edges, iterations, sample, seed) -> (xs, ys), bytes of doubles (see kg/export/_style.py)"},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "kg._speedups",
                                    "Compiled twins of kg's CRF decoding, jieba's route and POS HMM, and the page "
                                    "layout (same results, faster).",
                                    -1,
                                    module_methods};

PyMODINIT_FUNC PyInit__speedups(void) {
    if (PyType_Ready(&CrfDecoderType) < 0 || PyType_Ready(&PosHmmType) < 0 || PyType_Ready(&WordTableType) < 0)
        return NULL;
    PyObject *m = PyModule_Create(&module);
    if (!m) return NULL;
    Py_INCREF(&CrfDecoderType);
    if (PyModule_AddObject(m, "CrfDecoder", (PyObject *)&CrfDecoderType) < 0) {
        Py_DECREF(&CrfDecoderType);
        Py_DECREF(m);
        return NULL;
    }
    /* kg/crf.py takes the module only at this version: a stale build from older sources is not used */
    if (PyModule_AddIntConstant(m, "VERSION", 2) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    Py_INCREF(&PosHmmType);
    if (PyModule_AddObject(m, "PosHmm", (PyObject *)&PosHmmType) < 0) {
        Py_DECREF(&PosHmmType);
        Py_DECREF(m);
        return NULL;
    }
    Py_INCREF(&WordTableType);
    if (PyModule_AddObject(m, "WordTable", (PyObject *)&WordTableType) < 0) {
        Py_DECREF(&WordTableType);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
