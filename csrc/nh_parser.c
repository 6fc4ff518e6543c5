/*
 * nodehttp's C glue around llhttp. See nh_parser.h for the shape of the
 * results; this file reproduces the rules of Node's node_http_parser.cc that
 * are observable from JavaScript:
 *
 *  - header-size accounting: URL, status text, header names and values count
 *    (method and version do not); the count restarts at headers complete and
 *    at every chunk header and chunk end, so trailers are limited again; the
 *    limit is reached when the count is >= max_header_size;
 *  - trailing SP/HTAB is trimmed from header values (llhttp already skips the
 *    leading ones); a name without a value is dropped;
 *  - chunk extensions are capped at 16 KiB per chunk;
 *  - at most max_fields header fields per message, and again per trailer block
 *    (Node 24 reads parser.maxHeaderPairs: fields beyond half of it overflow);
 *  - HPE_PAUSED_UPGRADE is success, with the offset where the new protocol
 *    starts; any error while the upgrade flag is set is not an error;
 *  - on_headers_complete answers 0/1/2 as lib/_http_server.js and
 *    lib/_http_client.js would; when the answer needs Python (an upgrade, or
 *    `ask`), the batch pauses and Python answers through nh_decide().
 */
#include "nh_parser.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NH_OVERFLOW_REASON "HPE_HEADER_OVERFLOW:Header overflow"
#define NH_CHUNK_EXT_REASON "HPE_CHUNK_EXTENSIONS_OVERFLOW:Chunk extensions overflow"
#define NH_NOMEM_REASON "HPE_OUT_OF_MEMORY:Out of memory"

#define NH_OPEN_NONE 0
#define NH_OPEN_URL 1
#define NH_OPEN_NAME 2
#define NH_OPEN_VALUE 3

#define NH_NUL_VALUE_REASON "Invalid header value char"

static nh_parser_t* nh_of(llhttp_t* p) {
  /* llhttp_t is the first member, so the two pointers coincide. */
  return (nh_parser_t*)p;
}

static int nh_nomem(nh_parser_t* nh) {
  llhttp_set_error_reason(&nh->parser, NH_NOMEM_REASON);
  return HPE_USER;
}

static int nh_reserve_blk(nh_parser_t* nh, size_t extra) {
  size_t need = nh->blk_len + extra;
  if (need <= nh->blk_cap) return 0;
  size_t cap = nh->blk_cap ? nh->blk_cap : 512;
  while (cap < need) cap *= 2;
  char* blk = (char*)realloc(nh->blk, cap);
  if (blk == NULL) return -1;
  nh->blk = blk;
  nh->blk_cap = cap;
  return 0;
}

static int nh_push_len(nh_parser_t* nh, uint32_t len) {
  if (nh->nlens == nh->lens_cap) {
    size_t cap = nh->lens_cap ? nh->lens_cap * 2 : 32;
    uint32_t* lens = (uint32_t*)realloc(nh->lens, cap * sizeof(uint32_t));
    if (lens == NULL) return -1;
    nh->lens = lens;
    nh->lens_cap = cap;
  }
  nh->lens[nh->nlens++] = len;
  return 0;
}

static int64_t* nh_event(nh_parser_t* nh, size_t words) {
  if (nh->nev + words > nh->ev_cap) {
    size_t cap = nh->ev_cap ? nh->ev_cap : 32;
    while (cap < nh->nev + words) cap *= 2;
    int64_t* ev = (int64_t*)realloc(nh->ev, cap * sizeof(int64_t));
    if (ev == NULL) return NULL;
    nh->ev = ev;
    nh->ev_cap = cap;
  }
  int64_t* slot = nh->ev + nh->nev;
  nh->nev += words;
  return slot;
}

/* Strings ------------------------------------------------------------------ */

static void nh_open_group(nh_parser_t* nh) {
  nh->in_group = 1;
  nh->group_blk = nh->blk_len;
  nh->group_lens = nh->nlens;
  nh->nstr = 0;
  nh->nfields = 0;
  nh->cur = NH_OPEN_NONE;
}

static void nh_open_str(nh_parser_t* nh, int kind) {
  nh->str_start = nh->blk_len;
  nh->nstr++;
  nh->cur = kind;
}

static int nh_close_str(nh_parser_t* nh) {
  size_t n = nh->blk_len - nh->str_start;
  if (nh->cur == NH_OPEN_VALUE) {
    while (n > 0 && (nh->blk[nh->str_start + n - 1] == ' ' ||
                     nh->blk[nh->str_start + n - 1] == '\t')) {
      n--;
    }
  }
  nh->blk_len = nh->str_start + n;
  if (nh_reserve_blk(nh, 1) != 0 || nh_push_len(nh, (uint32_t)n) != 0) return -1;
  nh->blk[nh->blk_len++] = '\0';
  nh->cur = NH_OPEN_NONE;
  return 0;
}

/* Ends the open group; returns its number of strings or -1. */
static int nh_close_group(nh_parser_t* nh) {
  if (!nh->in_group) return 0;
  if (nh->cur == NH_OPEN_NAME) {
    /* Node pairs names with values; a name that never got one is dropped. */
    nh->blk_len = nh->str_start;
    nh->nstr--;
    nh->cur = NH_OPEN_NONE;
  } else if (nh->cur != NH_OPEN_NONE) {
    if (nh_close_str(nh) != 0) return -1;
  }
  nh->in_group = 0;
  return nh->nstr;
}

static int nh_append(nh_parser_t* nh, const char* at, size_t length) {
  if (nh_reserve_blk(nh, length) != 0) return -1;
  memcpy(nh->blk + nh->blk_len, at, length);
  nh->blk_len += length;
  return 0;
}

static int nh_track_header(nh_parser_t* nh, size_t length) {
  nh->header_nread += length;
  if (nh->header_nread >= nh->max_header_size) {
    llhttp_set_error_reason(&nh->parser, NH_OVERFLOW_REASON);
    return HPE_USER;
  }
  return 0;
}

/* llhttp callbacks ---------------------------------------------------------- */

static double nh_now(void) {
  struct timespec ts;
  /* Timeouts are seconds long: the coarse clock (same base, a few ms of resolution)
   * is enough, and costs a fraction of the precise one on every message. */
#ifdef CLOCK_MONOTONIC_COARSE
  clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
#else
  clock_gettime(CLOCK_MONOTONIC, &ts);
#endif
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int nh_on_message_begin(llhttp_t* p) {
  nh_parser_t* nh = nh_of(p);
  nh->message_start = nh_now();
  nh->headers_done = 0;
  nh->chunk_ext_nread = 0;
  nh_open_group(nh);
  nh_open_str(nh, NH_OPEN_URL);
  return 0;
}

static int nh_on_url_or_status(llhttp_t* p, const char* at, size_t length) {
  nh_parser_t* nh = nh_of(p);
  int rv = nh_track_header(nh, length);
  if (rv != 0) return rv;
  return nh_append(nh, at, length) == 0 ? 0 : nh_nomem(nh);
}

static int nh_on_header_field(llhttp_t* p, const char* at, size_t length) {
  nh_parser_t* nh = nh_of(p);
  int rv = nh_track_header(nh, length);
  if (rv != 0) return rv;
  if (!nh->in_group) nh_open_group(nh); /* trailers */
  nh->last_span = NH_OPEN_NAME;
  nh->last_span_end = at + length;
  if (nh->cur != NH_OPEN_NAME) {
    /* Node 24 refuses more fields than parser.maxHeaderPairs / 2, trailers apart. */
    if (nh->max_fields >= 0 && ++nh->nfields > nh->max_fields) {
      llhttp_set_error_reason(p, NH_OVERFLOW_REASON);
      return HPE_USER;
    }
    if (nh->cur != NH_OPEN_NONE && nh_close_str(nh) != 0) return nh_nomem(nh);
    nh_open_str(nh, NH_OPEN_NAME);
  }
  return nh_append(nh, at, length) == 0 ? 0 : nh_nomem(nh);
}

static int nh_on_header_value(llhttp_t* p, const char* at, size_t length) {
  nh_parser_t* nh = nh_of(p);
  int rv = nh_track_header(nh, length);
  if (rv != 0) return rv;
  if (!nh->in_group) nh_open_group(nh);
  nh->last_span = NH_OPEN_VALUE;
  nh->last_span_end = at + length;
  if (nh->cur != NH_OPEN_VALUE) {
    if (nh->cur != NH_OPEN_NONE && nh_close_str(nh) != 0) return nh_nomem(nh);
    nh_open_str(nh, NH_OPEN_VALUE);
  }
  return nh_append(nh, at, length) == 0 ? 0 : nh_nomem(nh);
}

static int nh_default_answer(nh_parser_t* nh) {
  llhttp_t* p = &nh->parser;
  if (p->type != HTTP_RESPONSE) return 0;
  /* parserOnIncomingClient: CONNECT is an upgrade, 1xx/HEAD/304 have no body. */
  if (nh->connect_response) return 2;
  if (p->status_code >= 100 && p->status_code < 200) return 1;
  if (nh->head_response) return 1;
  if (p->status_code == 304) return 1;
  return 0;
}

static int nh_on_headers_complete(llhttp_t* p) {
  nh_parser_t* nh = nh_of(p);
  nh->header_nread = 0;
  nh->headers_done = 1;
  nh->last_span = 0;
  nh->value_zone = 0;
  int nstr = nh_close_group(nh);
  int64_t* ev = nh_event(nh, NH_EV_HEADERS_WORDS);
  if (nstr < 0 || ev == NULL) return nh_nomem(nh);
  ev[0] = NH_EV_HEADERS;
  ev[1] = nstr;
  ev[2] = NH_META(p->method, p->http_major, p->http_minor, p->upgrade != 0,
                  llhttp_should_keep_alive(p) != 0);
  ev[3] = p->status_code;
  int ask = p->upgrade || nh->ask || (nh->ask_after_final && nh->final_seen);
  if (p->type == HTTP_RESPONSE && (p->status_code < 100 || p->status_code >= 200)) nh->final_seen = 1;
  if (ask) {
    nh->decision_pending = 1;
    return HPE_PAUSED;
  }
  return nh_default_answer(nh);
}

static int nh_on_body(llhttp_t* p, const char* at, size_t length) {
  nh_parser_t* nh = nh_of(p);
  if (length == 0) return 0;
  int64_t* ev = nh_event(nh, NH_EV_BODY_WORDS);
  if (ev == NULL) return nh_nomem(nh);
  ev[0] = NH_EV_BODY;
  ev[1] = (int64_t)(at - nh->data);
  ev[2] = (int64_t)length;
  return 0;
}

static int nh_on_message_complete(llhttp_t* p) {
  nh_parser_t* nh = nh_of(p);
  nh->message_start = 0;
  nh->last_span = 0;
  nh->value_zone = 0;
  int nstr = nh_close_group(nh);
  int64_t* ev = nh_event(nh, NH_EV_COMPLETE_WORDS);
  if (nstr < 0 || ev == NULL) return -1;
  ev[0] = NH_EV_COMPLETE;
  ev[1] = nstr;
  return 0;
}

static int nh_on_chunk_extension(llhttp_t* p, const char* at, size_t length) {
  nh_parser_t* nh = nh_of(p);
  (void)at;
  nh->chunk_ext_nread += length;
  if (nh->chunk_ext_nread > NH_MAX_CHUNK_EXTENSIONS_SIZE) {
    llhttp_set_error_reason(p, NH_CHUNK_EXT_REASON);
    return HPE_USER;
  }
  return 0;
}

static int nh_on_chunk_header(llhttp_t* p) {
  nh_parser_t* nh = nh_of(p);
  nh->header_nread = 0;
  nh->chunk_ext_nread = 0;
  return 0;
}

static int nh_on_chunk_complete(llhttp_t* p) {
  nh_of(p)->header_nread = 0;
  return 0;
}

static llhttp_settings_t nh_settings;
static int nh_settings_ready = 0;

static void nh_prepare_settings(void) {
  if (nh_settings_ready) return;
  llhttp_settings_init(&nh_settings);
  nh_settings.on_message_begin = nh_on_message_begin;
  nh_settings.on_url = nh_on_url_or_status;
  nh_settings.on_status = nh_on_url_or_status;
  nh_settings.on_header_field = nh_on_header_field;
  nh_settings.on_header_value = nh_on_header_value;
  nh_settings.on_chunk_extension_name = nh_on_chunk_extension;
  nh_settings.on_chunk_extension_value = nh_on_chunk_extension;
  nh_settings.on_headers_complete = nh_on_headers_complete;
  nh_settings.on_body = nh_on_body;
  nh_settings.on_message_complete = nh_on_message_complete;
  nh_settings.on_chunk_header = nh_on_chunk_header;
  nh_settings.on_chunk_complete = nh_on_chunk_complete;
  nh_settings_ready = 1;
}

/* Public API ------------------------------------------------------------------ */

nh_parser_t* nh_new(void) {
  nh_parser_t* nh = (nh_parser_t*)calloc(1, sizeof(nh_parser_t));
  return nh;
}

void nh_free(nh_parser_t* nh) {
  if (nh == NULL) return;
  free(nh->blk);
  free(nh->lens);
  free(nh->ev);
  free(nh);
}

void nh_init(nh_parser_t* nh, int type, uint64_t max_header_size, uint32_t lenient_flags) {
  nh_prepare_settings();
  llhttp_init(&nh->parser, (llhttp_type_t)type, &nh_settings);
  llhttp_set_lenient_headers(&nh->parser, (lenient_flags & LENIENT_HEADERS) != 0);
  llhttp_set_lenient_chunked_length(&nh->parser, (lenient_flags & LENIENT_CHUNKED_LENGTH) != 0);
  llhttp_set_lenient_keep_alive(&nh->parser, (lenient_flags & LENIENT_KEEP_ALIVE) != 0);
  llhttp_set_lenient_transfer_encoding(&nh->parser,
                                       (lenient_flags & LENIENT_TRANSFER_ENCODING) != 0);
  llhttp_set_lenient_version(&nh->parser, (lenient_flags & LENIENT_VERSION) != 0);
  llhttp_set_lenient_data_after_close(&nh->parser,
                                      (lenient_flags & LENIENT_DATA_AFTER_CLOSE) != 0);
  llhttp_set_lenient_optional_lf_after_cr(&nh->parser,
                                          (lenient_flags & LENIENT_OPTIONAL_LF_AFTER_CR) != 0);
  llhttp_set_lenient_optional_crlf_after_chunk(
      &nh->parser, (lenient_flags & LENIENT_OPTIONAL_CRLF_AFTER_CHUNK) != 0);
  llhttp_set_lenient_optional_cr_before_lf(&nh->parser,
                                           (lenient_flags & LENIENT_OPTIONAL_CR_BEFORE_LF) != 0);
  llhttp_set_lenient_spaces_after_chunk_size(
      &nh->parser, (lenient_flags & LENIENT_SPACES_AFTER_CHUNK_SIZE) != 0);
  llhttp_set_lenient_header_value_relaxed(&nh->parser,
                                          (lenient_flags & LENIENT_HEADER_VALUE_RELAXED) != 0);
  nh->max_header_size = max_header_size;
  nh->max_fields = -1;
  nh->head_response = 0;
  nh->connect_response = 0;
  nh->ask = 0;
  nh->ask_after_final = 0;
  nh->final_seen = 0;
  nh->blk_len = nh->blk_report = 0;
  nh->nlens = nh->lens_report = 0;
  nh->nev = 0;
  nh->cur = NH_OPEN_NONE;
  nh->in_group = 0;
  nh->nstr = 0;
  nh->header_nread = 0;
  nh->chunk_ext_nread = 0;
  nh->decision_pending = 0;
  nh->busy = 0;
  nh->data = NULL;
  nh->last_span = 0;
  nh->last_span_end = NULL;
  nh->value_zone = 0;
  nh->message_start = 0;
  nh->headers_done = 0;
  nh->nread = 0;
  nh->err = 0;
  nh->reason = NULL;
}

/* Drops what the previous batch reported and starts a new batch. */
static void nh_begin_batch(nh_parser_t* nh, const char* data) {
  if (nh->blk_report > 0) {
    size_t keep = nh->blk_len - nh->blk_report;
    if (keep > 0) memmove(nh->blk, nh->blk + nh->blk_report, keep);
    nh->blk_len = keep;
    nh->group_blk -= nh->blk_report;
    nh->str_start -= nh->blk_report;
    nh->blk_report = 0;
  }
  if (nh->lens_report > 0) {
    size_t keep = nh->nlens - nh->lens_report;
    if (keep > 0) memmove(nh->lens, nh->lens + nh->lens_report, keep * sizeof(uint32_t));
    nh->nlens = keep;
    nh->group_lens -= nh->lens_report;
    nh->lens_report = 0;
  }
  nh->nev = 0;
  nh->data = data;
  nh->err = 0;
  nh->reason = NULL;
}

static int64_t nh_end_batch(nh_parser_t* nh, llhttp_errno_t err, const char* data, size_t len) {
  int64_t flags = 0;
  /* Everything up to the open group (or all of it) is complete and reported. */
  nh->blk_report = nh->in_group ? nh->group_blk : nh->blk_len;
  nh->lens_report = nh->in_group ? nh->group_lens : nh->nlens;
  nh->nread = len;
  if (err != HPE_OK) {
    const char* pos = llhttp_get_error_pos(&nh->parser);
    /* A parser that was already paused or failed keeps a stale error_pos from an
     * earlier buffer; Node subtracts it anyway and reports a meaningless number. */
    nh->nread = (data != NULL && pos != NULL && pos >= data && pos <= data + len)
                    ? (size_t)(pos - data)
                    : 0;
    if (err == HPE_PAUSED && nh->decision_pending) {
      flags |= NH_RC_DECIDE;
    } else if (err == HPE_PAUSED_UPGRADE) {
      llhttp_resume_after_upgrade(&nh->parser);
      flags |= NH_RC_UPGRADE;
    } else if (nh->parser.upgrade) {
      /* Node reports no error once the upgrade flag is set. */
      flags |= NH_RC_UPGRADE;
    } else {
      nh->err = err;
      nh->reason = llhttp_get_error_reason(&nh->parser);
      flags |= NH_RC_ERROR;
    }
  }
  return (flags << NH_RC_SHIFT_FLAGS) | ((int64_t)nh->blk_report << NH_RC_SHIFT_BLK) |
         (int64_t)nh->nev;
}

/*
 * llhttp 9.4.3 loops forever on a NUL byte inside a header value when
 * header_value_relaxed is set without lenient headers: the relaxed state
 * refuses the byte, hands it on, and is handed it back without consuming it
 * (Node 24.21.0 hangs on the same bytes). With that flag set, the input is fed
 * in pieces that end before each NUL; a NUL that would land in a header value
 * is answered with the error strict mode gives for it instead.
 */
/* Called after each piece: did it end where the next byte belongs to a value? */
static void nh_note_piece_end(nh_parser_t* nh, const char* end) {
  if (nh->last_span == NH_OPEN_VALUE) {
    nh->value_zone = nh->last_span_end == end; /* the value span is still open */
  } else if (nh->last_span == NH_OPEN_NAME) {
    nh->value_zone = nh->last_span_end < end; /* past the colon, no value byte yet */
  }
  nh->last_span = 0;
}

static llhttp_errno_t nh_run(nh_parser_t* nh, const char* p, const char* end) {
  llhttp_t* parser = &nh->parser;
  const int guarded = (parser->lenient_flags & LENIENT_HEADER_VALUE_RELAXED) &&
                      !(parser->lenient_flags & LENIENT_HEADERS);
  if (!guarded) return llhttp_execute(parser, p, (size_t)(end - p));
  for (;;) {
    const char* nul = (const char*)memchr(p, '\0', (size_t)(end - p));
    if (nul == NULL) {
      llhttp_errno_t err = llhttp_execute(parser, p, (size_t)(end - p));
      if (err == HPE_OK) nh_note_piece_end(nh, end);
      return err;
    }
    if (nul > p) {
      llhttp_errno_t err = llhttp_execute(parser, p, (size_t)(nul - p));
      if (err != HPE_OK) return err;
      nh_note_piece_end(nh, nul);
    }
    if (nh->value_zone) {
      parser->error = HPE_INVALID_HEADER_TOKEN;
      parser->reason = NH_NUL_VALUE_REASON;
      parser->error_pos = nul;
      return HPE_INVALID_HEADER_TOKEN;
    }
    llhttp_errno_t err = llhttp_execute(parser, nul, 1);
    if (err != HPE_OK) return err;
    nh_note_piece_end(nh, nul + 1);
    if (nul + 1 == end) return err;
    p = nul + 1;
  }
}

#define NH_BUSY_RESULT ((int64_t)NH_RC_BUSY << NH_RC_SHIFT_FLAGS)

int64_t nh_execute(nh_parser_t* nh, const char* data, size_t len) {
  if (nh->busy) return NH_BUSY_RESULT;
  nh_begin_batch(nh, data);
  llhttp_errno_t err = nh_run(nh, data, data + len);
  return nh_end_batch(nh, err, data, len);
}

int64_t nh_decide(nh_parser_t* nh, int answer, const char* data, size_t len) {
  llhttp_t* p = &nh->parser;
  const char* pos = llhttp_get_error_pos(p);
  if (nh->busy) return NH_BUSY_RESULT;
  nh->decision_pending = 0;
  nh_begin_batch(nh, data);
  llhttp_resume(p);
  if (answer == 1) {
    p->flags |= F_SKIPBODY;
  } else if (answer == 2) {
    p->upgrade = 1;
    p->flags |= F_SKIPBODY;
  } else if (answer != 0) {
    /* What llhttp does for any other answer of on_headers_complete. */
    p->error = HPE_CB_HEADERS_COMPLETE;
    p->reason = "User callback error";
    p->error_pos = pos;
    return nh_end_batch(nh, HPE_CB_HEADERS_COMPLETE, data, len);
  }
  llhttp_errno_t err = nh_run(nh, pos, data + len);
  return nh_end_batch(nh, err, data, len);
}

int64_t nh_finish(nh_parser_t* nh) {
  if (nh->busy) return NH_BUSY_RESULT;
  nh_begin_batch(nh, NULL);
  llhttp_errno_t err = llhttp_finish(&nh->parser);
  return nh_end_batch(nh, err, NULL, 0);
}

void nh_pause(nh_parser_t* nh) { llhttp_pause(&nh->parser); }

void nh_resume(nh_parser_t* nh) { llhttp_resume(&nh->parser); }

#define NH_STR2(x) #x
#define NH_STR(x) NH_STR2(x)

const char* nh_version(void) {
  return NH_STR(LLHTTP_VERSION_MAJOR) "." NH_STR(LLHTTP_VERSION_MINOR) "." NH_STR(
      LLHTTP_VERSION_PATCH);
}

/* Tracing (tests only) ---------------------------------------------------------
 * Each llhttp callback is forwarded to Python with its index in
 * llhttp_settings_t, so that a test can print llhttp's own log format.
 */
extern int nh_trace_cb(llhttp_t* p, int kind, const char* at, size_t length);

#define NH_TRACE_CB(name, kind) \
  static int name(llhttp_t* p) { return nh_trace_cb(p, kind, NULL, 0); }
#define NH_TRACE_DATA(name, kind) \
  static int name(llhttp_t* p, const char* at, size_t n) { return nh_trace_cb(p, kind, at, n); }

NH_TRACE_CB(nh_t_message_begin, 0)
NH_TRACE_DATA(nh_t_protocol, 1)
NH_TRACE_DATA(nh_t_url, 2)
NH_TRACE_DATA(nh_t_status, 3)
NH_TRACE_DATA(nh_t_method, 4)
NH_TRACE_DATA(nh_t_version, 5)
NH_TRACE_DATA(nh_t_header_field, 6)
NH_TRACE_DATA(nh_t_header_value, 7)
NH_TRACE_DATA(nh_t_chunk_extension_name, 8)
NH_TRACE_DATA(nh_t_chunk_extension_value, 9)
NH_TRACE_CB(nh_t_headers_complete, 10)
NH_TRACE_DATA(nh_t_body, 11)
NH_TRACE_CB(nh_t_message_complete, 12)
NH_TRACE_CB(nh_t_protocol_complete, 13)
NH_TRACE_CB(nh_t_url_complete, 14)
NH_TRACE_CB(nh_t_status_complete, 15)
NH_TRACE_CB(nh_t_method_complete, 16)
NH_TRACE_CB(nh_t_version_complete, 17)
NH_TRACE_CB(nh_t_header_field_complete, 18)
NH_TRACE_CB(nh_t_header_value_complete, 19)
NH_TRACE_CB(nh_t_chunk_extension_name_complete, 20)
NH_TRACE_CB(nh_t_chunk_extension_value_complete, 21)
NH_TRACE_CB(nh_t_chunk_header, 22)
NH_TRACE_CB(nh_t_chunk_complete, 23)
NH_TRACE_CB(nh_t_reset, 24)

static llhttp_settings_t nh_trace_settings;

void nh_trace_init(llhttp_t* parser, int type) {
  llhttp_settings_t* s = &nh_trace_settings;
  llhttp_settings_init(s);
  s->on_message_begin = nh_t_message_begin;
  s->on_protocol = nh_t_protocol;
  s->on_url = nh_t_url;
  s->on_status = nh_t_status;
  s->on_method = nh_t_method;
  s->on_version = nh_t_version;
  s->on_header_field = nh_t_header_field;
  s->on_header_value = nh_t_header_value;
  s->on_chunk_extension_name = nh_t_chunk_extension_name;
  s->on_chunk_extension_value = nh_t_chunk_extension_value;
  s->on_headers_complete = nh_t_headers_complete;
  s->on_body = nh_t_body;
  s->on_message_complete = nh_t_message_complete;
  s->on_protocol_complete = nh_t_protocol_complete;
  s->on_url_complete = nh_t_url_complete;
  s->on_status_complete = nh_t_status_complete;
  s->on_method_complete = nh_t_method_complete;
  s->on_version_complete = nh_t_version_complete;
  s->on_header_field_complete = nh_t_header_field_complete;
  s->on_header_value_complete = nh_t_header_value_complete;
  s->on_chunk_extension_name_complete = nh_t_chunk_extension_name_complete;
  s->on_chunk_extension_value_complete = nh_t_chunk_extension_value_complete;
  s->on_chunk_header = nh_t_chunk_header;
  s->on_chunk_complete = nh_t_chunk_complete;
  s->on_reset = nh_t_reset;
  llhttp_init(parser, (llhttp_type_t)type, s);
}
