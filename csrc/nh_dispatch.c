/*
 * CPython fast path of HTTPParser: walks one batch of events (see nh_parser.h)
 * and calls the parser's Python callbacks, building each str straight from the
 * string block by its recorded length.
 *
 * Why C: a batch's strings can only become Python objects one at a time, and
 * doing that from Python (one decode, one split, slicing, a loop over events)
 * costs several times what llhttp spends parsing. The function is part of the
 * cffi module; nh_export_dispatch() publishes nodehttp._llhttp.execute and .dispatch.
 * cffi's wrappers in this module keep the GIL (see build_ffi.py), so the export
 * call may use the C API. nodehttp/_parser.py keeps a pure-Python dispatch for
 * interpreters without it.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>

#include "nh_parser.h"

#define NH_METHODS 47

static PyObject* nh_method_names[NH_METHODS];
static PyObject* nh_name_headers;
static PyObject* nh_name_body;
static PyObject* nh_name_complete;
static PyObject* nh_name_slow;

typedef struct {
  const char* pos;
  const uint32_t* len;
} nh_cursor_t;

static PyObject* nh_next_str(nh_cursor_t* c) {
  uint32_t n = *c->len++;
  PyObject* s = PyUnicode_DecodeLatin1(c->pos, (Py_ssize_t)n, NULL);
  c->pos += n + 1; /* the NUL separator */
  return s;
}

/* Header names come from a small vocabulary (Host, User-Agent, Accept...) and repeat on
 * every request: a direct-mapped cache of the str objects made for them spares an
 * allocation and a copy per name. Values are not cached: they are not a vocabulary. */
#define NH_NAME_CACHE 256
#define NH_NAME_MAX 40

static PyObject* nh_name_cache[NH_NAME_CACHE];

static PyObject* nh_next_name(nh_cursor_t* c) {
  const uint32_t n = *c->len;
  const unsigned char* p = (const unsigned char*)c->pos;
  if (n == 0 || n > NH_NAME_MAX) return nh_next_str(c);
  const unsigned slot = (n * 31u + p[0] * 7u + p[n - 1] * 3u + p[n / 2]) & (NH_NAME_CACHE - 1);
  PyObject* cached = nh_name_cache[slot];
  if (cached != NULL && (uint32_t)PyUnicode_GET_LENGTH(cached) == n &&
      memcmp(PyUnicode_1BYTE_DATA(cached), p, n) == 0) {
    c->pos += n + 1;
    c->len++;
    return Py_NewRef(cached);
  }
  PyObject* s = nh_next_str(c);
  /* Only one-byte (latin-1) strs compare byte for byte with the input; they all are. */
  if (s != NULL && PyUnicode_KIND(s) == PyUnicode_1BYTE_KIND) {
    Py_XSETREF(nh_name_cache[slot], Py_NewRef(s));
  }
  return s;
}

/* n strings alternating name, value (header lines), as a flat list. */
static PyObject* nh_next_list(nh_cursor_t* c, Py_ssize_t n) {
  PyObject* list = PyList_New(n);
  if (list == NULL) return NULL;
  for (Py_ssize_t i = 0; i < n; i++) {
    PyObject* s = (i & 1) ? nh_next_str(c) : nh_next_name(c);
    if (s == NULL) {
      Py_DECREF(list);
      return NULL;
    }
    PyList_SET_ITEM(list, i, s);
  }
  return list;
}

static PyObject* nh_headers_event(PyObject* callback, nh_parser_t* nh, const int64_t* ev,
                                  nh_cursor_t* c) {
  const int64_t n = ev[1];
  const int64_t meta = ev[2];
  const int version = (int)((meta >> 8) & 0xFF);
  PyObject* first = nh_next_str(c);
  if (first == NULL) return NULL;
  PyObject* headers = nh_next_list(c, (Py_ssize_t)(n - 1));
  if (headers == NULL) {
    Py_DECREF(first);
    return NULL;
  }
  PyObject* major = PyLong_FromLong(version >> 4);
  PyObject* minor = PyLong_FromLong(version & 0xF);
  PyObject* upgrade = (meta & 0x10000) ? Py_True : Py_False;
  PyObject* keep_alive = (meta & 0x20000) ? Py_True : Py_False;
  PyObject* result = NULL;
  if (major != NULL && minor != NULL) {
    if (nh->parser.type == HTTP_REQUEST) {
      PyObject* args[9] = {major, minor, headers, nh_method_names[meta & 0xFF], first,
                           Py_None, Py_None, upgrade, keep_alive};
      result = PyObject_Vectorcall(callback, args, 9, NULL);
    } else {
      PyObject* status = PyLong_FromLongLong(ev[3]);
      if (status != NULL) {
        PyObject* args[9] = {major, minor, headers, Py_None, Py_None,
                             status, first, upgrade, keep_alive};
        result = PyObject_Vectorcall(callback, args, 9, NULL);
        Py_DECREF(status);
      }
    }
  }
  Py_XDECREF(major);
  Py_XDECREF(minor);
  Py_DECREF(headers);
  Py_DECREF(first);
  return result;
}

static PyObject* nh_call1(PyObject* callback, PyObject* arg) {
  PyObject* result = PyObject_Vectorcall(callback, &arg, 1, NULL);
  Py_DECREF(arg);
  return result;
}

/* Python's int(answer or 0), as the pure-Python dispatch computes it. */
static int nh_answer(PyObject* result, long* answer) {
  int truth = PyObject_IsTrue(result);
  if (truth < 0) return -1;
  if (!truth) {
    *answer = 0;
    return 0;
  }
  PyObject* number = PyNumber_Long(result);
  if (number == NULL) return -1;
  *answer = PyLong_AsLong(number);
  Py_DECREF(number);
  return (*answer == -1 && PyErr_Occurred()) ? -1 : 0;
}

/* Calls the callbacks for one batch; stores the last on_headers_complete answer. */
static int nh_dispatch_batch(PyObject* parser, PyObject* const* callbacks, nh_parser_t* nh,
                             int64_t rc, PyObject* data, long* answer) {
  const char* bytes = PyBytes_AS_STRING(data);
  const Py_ssize_t size = PyBytes_GET_SIZE(data);
  const size_t nev = (size_t)(rc & 0xFFFFFF);
  nh_cursor_t cursor = {nh->blk, nh->lens};
  PyObject *on_headers = NULL, *on_body = NULL, *on_complete = NULL;
  int failed = 0;
  if (callbacks != NULL) {
    /* Given by the caller, which read them for less than GetAttr costs here. */
    on_headers = Py_NewRef(callbacks[0]);
    on_body = Py_NewRef(callbacks[1]);
    on_complete = Py_NewRef(callbacks[2]);
  }

  /* Callbacks run Python code that may touch this parser: its buffers must stay put. */
  nh->busy = 1;
  for (size_t i = 0; i < nev && !failed;) {
    const int64_t* ev = nh->ev + i;
    PyObject* result = NULL;
    if (ev[0] == NH_EV_HEADERS) {
      if (on_headers == NULL && (on_headers = PyObject_GetAttr(parser, nh_name_headers)) == NULL) {
        failed = 1;
        break;
      }
      result = nh_headers_event(on_headers, nh, ev, &cursor);
      if (result != NULL && nh_answer(result, answer) != 0) failed = 1;
      i += NH_EV_HEADERS_WORDS;
    } else if (ev[0] == NH_EV_BODY) {
      if (on_body == NULL && (on_body = PyObject_GetAttr(parser, nh_name_body)) == NULL) {
        failed = 1;
        break;
      }
      PyObject* chunk;
      if (ev[1] == 0 && ev[2] == size) {
        Py_INCREF(data);
        chunk = data;
      } else {
        chunk = PyBytes_FromStringAndSize(bytes + ev[1], (Py_ssize_t)ev[2]);
      }
      result = chunk == NULL ? NULL : nh_call1(on_body, chunk);
      i += NH_EV_BODY_WORDS;
    } else {
      if (on_complete == NULL &&
          (on_complete = PyObject_GetAttr(parser, nh_name_complete)) == NULL) {
        failed = 1;
        break;
      }
      PyObject* trailers = nh_next_list(&cursor, (Py_ssize_t)ev[1]);
      result = trailers == NULL ? NULL : nh_call1(on_complete, trailers);
      i += NH_EV_COMPLETE_WORDS;
    }
    if (result == NULL) {
      failed = 1;
    } else {
      Py_DECREF(result);
    }
  }
  nh->busy = 0;
  Py_XDECREF(on_headers);
  Py_XDECREF(on_body);
  Py_XDECREF(on_complete);
  return failed ? -1 : 0;
}

static nh_parser_t* nh_arg_parser(PyObject* address) {
  nh_parser_t* nh = (nh_parser_t*)PyLong_AsVoidPtr(address);
  if (nh == NULL && !PyErr_Occurred()) PyErr_SetString(PyExc_ValueError, "null parser");
  return nh;
}

/* dispatch(parser, nh_address, rc, data) -> the last on_headers_complete answer */
static PyObject* nh_py_dispatch(PyObject* self, PyObject* const* args, Py_ssize_t nargs) {
  (void)self;
  if (nargs != 4 || !PyBytes_Check(args[3])) {
    PyErr_SetString(PyExc_TypeError, "dispatch(parser, nh_address, rc, data: bytes)");
    return NULL;
  }
  nh_parser_t* nh = nh_arg_parser(args[1]);
  long long rc = PyLong_AsLongLong(args[2]);
  if (nh == NULL || (rc == -1 && PyErr_Occurred())) return NULL;
  long answer = 0;
  if (nh_dispatch_batch(args[0], NULL, nh, (int64_t)rc, args[3], &answer) != 0) return NULL;
  return PyLong_FromLong(answer);
}

/* execute(parser, nh_address, data, on_headers_complete, on_body, on_message_complete)
 * -> the bytes consumed: a plain batch is parsed and dispatched here, anything else
 * (a decision, an upgrade, an error, re-entry) goes to parser._execute_slow(rc, data,
 * size). ``data`` that is not bytes is copied into bytes first, as chunks must be. */
static PyObject* nh_py_execute(PyObject* self, PyObject* const* args, Py_ssize_t nargs) {
  (void)self;
  if (nargs != 6) {
    PyErr_SetString(PyExc_TypeError,
                    "execute(parser, nh_address, data, on_headers_complete, on_body, "
                    "on_message_complete)");
    return NULL;
  }
  nh_parser_t* nh = nh_arg_parser(args[1]);
  if (nh == NULL) return NULL;
  PyObject* data = PyBytes_CheckExact(args[2]) ? Py_NewRef(args[2]) : PyBytes_FromObject(args[2]);
  if (data == NULL) return NULL;
  const Py_ssize_t size = PyBytes_GET_SIZE(data);
  int64_t rc = nh_execute(nh, PyBytes_AS_STRING(data), (size_t)size);
  PyObject* result = NULL;
  long answer = 0;
  if (rc >> NH_RC_SHIFT_FLAGS) {
    PyObject* rc_obj = PyLong_FromLongLong(rc);
    PyObject* size_obj = PyLong_FromSsize_t(size);
    if (rc_obj != NULL && size_obj != NULL) {
      result = PyObject_CallMethodObjArgs(args[0], nh_name_slow, rc_obj, data, size_obj, NULL);
    }
    Py_XDECREF(rc_obj);
    Py_XDECREF(size_obj);
  } else if (!(rc & 0xFFFFFF) || nh_dispatch_batch(args[0], args + 3, nh, rc, data, &answer) == 0) {
    result = PyLong_FromSsize_t(size);
  }
  Py_DECREF(data);
  return result;
}

static PyMethodDef nh_functions[] = {
    {"dispatch", (PyCFunction)(void (*)(void))nh_py_dispatch, METH_FASTCALL,
     "dispatch(parser, nh_address, rc, data) -> int\n\n"
     "Call the parser's callbacks for one batch of events; return the last\n"
     "on_headers_complete answer."},
    {"execute", (PyCFunction)(void (*)(void))nh_py_execute, METH_FASTCALL,
     "execute(parser, nh_address, data, on_headers_complete, on_body, on_message_complete)\n\n"
     "HTTPParser.execute's work: the bytes consumed, or what parser._execute_slow returns."},
};

int nh_export_dispatch(void) {
  for (int i = 0; i < NH_METHODS; i++) {
    nh_method_names[i] = PyUnicode_InternFromString(llhttp_method_name((llhttp_method_t)i));
    if (nh_method_names[i] == NULL) goto fail;
  }
  nh_name_headers = PyUnicode_InternFromString("on_headers_complete");
  nh_name_body = PyUnicode_InternFromString("on_body");
  nh_name_complete = PyUnicode_InternFromString("on_message_complete");
  nh_name_slow = PyUnicode_InternFromString("_execute_slow");
  if (nh_name_headers == NULL || nh_name_body == NULL || nh_name_complete == NULL ||
      nh_name_slow == NULL) {
    goto fail;
  }
  PyObject* module = PyImport_ImportModule("nodehttp._llhttp");
  if (module == NULL) goto fail;
  int rv = 0;
  for (size_t i = 0; rv == 0 && i < sizeof(nh_functions) / sizeof(nh_functions[0]); i++) {
    PyObject* function = PyCFunction_NewEx(&nh_functions[i], NULL, NULL);
    rv = function == NULL ? -1 : PyObject_SetAttrString(module, nh_functions[i].ml_name, function);
    Py_XDECREF(function);
  }
  Py_DECREF(module);
  if (rv == 0) return 0;
fail:
  /* cffi cannot carry a Python exception out of this call: say no, and the
   * caller falls back to the pure-Python dispatch. */
  PyErr_Clear();
  return -1;
}
