/*
 * nodehttp's C glue around llhttp: the contract of Node's node_http_parser.cc,
 * reshaped so that Python is entered once per execute() instead of once per span.
 *
 * The glue collects, per message, the URL (or status text) and the header
 * names and values into one growing block of bytes, each string followed by a
 * NUL byte, and appends small fixed-size records ("events") to an int64 array.
 * Python decodes the block once, splits it once and walks the events.
 */
#ifndef NODEHTTP_NH_PARSER_H_
#define NODEHTTP_NH_PARSER_H_

#include <stddef.h>
#include <stdint.h>

#include "llhttp.h"

/* Event records, in int64 words. */
#define NH_EV_HEADERS 1  /* nstr, meta (see NH_META), status code */
#define NH_EV_BODY 2     /* offset into the input, length */
#define NH_EV_COMPLETE 3 /* number of trailer strings (names and values) */
#define NH_EV_HEADERS_WORDS 4
#define NH_EV_BODY_WORDS 3
#define NH_EV_COMPLETE_WORDS 2

/* The facts of a message head that take few values, packed into one word so that
 * Python can map it to a cached tuple: method | version << 8 | upgrade << 16 |
 * keep_alive << 17, where version is major * 16 + minor. */
#define NH_META(method, major, minor, upgrade, keep_alive)                          \
  ((int64_t)(method) | ((int64_t)((major) * 16 + (minor)) << 8) | ((int64_t)(upgrade) << 16) | \
   ((int64_t)(keep_alive) << 17))

/* Result flags, in the top byte of nh_execute()'s return value. */
#define NH_RC_DECIDE 1    /* paused after a headers event: Python must call nh_decide() */
#define NH_RC_UPGRADE 4   /* stopped where the upgraded stream starts (nh->nread) */
#define NH_RC_ERROR 8     /* parse error: nh->err, nh->reason, nh->nread */
#define NH_RC_BUSY 32     /* called from one of this parser's own callbacks: nothing done */
#define NH_RC_SHIFT_NEV 0
#define NH_RC_SHIFT_BLK 24
#define NH_RC_SHIFT_FLAGS 56

/* Node's limits that llhttp itself does not enforce. */
#define NH_MAX_CHUNK_EXTENSIONS_SIZE 16384

typedef struct nh_parser_s {
  llhttp_t parser;

  /* Configuration written by Python. */
  uint64_t max_header_size;
  int64_t max_fields; /* header (or trailer) fields allowed per message; < 0: no limit */
  int head_response;    /* response parser: the request in flight is HEAD */
  int connect_response; /* response parser: the request in flight is CONNECT */
  int ask;              /* hand every on_headers_complete decision to Python */
  int ask_after_final;  /* response parser: once a final head was answered, hand later
                           decisions to Python (the client answers a broken server's
                           second response with 0, as Node does, and skips it) */
  int final_seen;       /* a final (non-1xx) response head was answered since init */

  /* The string block: reported strings first, then the open group. */
  char* blk;
  size_t blk_len;
  size_t blk_cap;
  size_t blk_report; /* bytes of blk that this batch reports to Python */

  /* Length of every string in blk (a string may hold a NUL byte in lenient modes). */
  uint32_t* lens;
  size_t nlens;
  size_t lens_cap;
  size_t lens_report;

  /* Events of the current batch. */
  int64_t* ev;
  size_t nev;
  size_t ev_cap;

  /* Per-message state, as Node's binding keeps it. */
  /* For the server's headers/request timeouts (Node's ConnectionsList): when the
   * message in progress began (CLOCK_MONOTONIC seconds, time.monotonic() in Python;
   * 0 when idle) and whether its headers are complete. */
  double message_start;
  int headers_done;

  int cur; /* open string: 0 none, 1 url or status text, 2 name, 3 value */
  int in_group;
  size_t group_blk; /* where the open group starts in blk */
  size_t group_lens;
  size_t str_start;
  int nstr;
  int64_t nfields; /* fields of the open group, for max_fields */
  uint64_t header_nread;
  uint64_t chunk_ext_nread;
  int decision_pending;
  int busy; /* a batch is being dispatched to Python: blk and ev must not move */

  /* For the relaxed-NUL guard: the last name/value span of the current piece,
   * and whether the previous piece ended where a header value's bytes go. */
  int last_span; /* NH_OPEN_NAME, NH_OPEN_VALUE, or 0 when none in this piece */
  const char* last_span_end;
  int value_zone;

  /* The batch's input, for body offsets and bytes-parsed. */
  const char* data;
  size_t nread;
  int err;             /* llhttp_errno_t of a failed batch */
  const char* reason;  /* llhttp's reason for it */
} nh_parser_t;

nh_parser_t* nh_new(void);
void nh_free(nh_parser_t* nh);
/* (Re)initialise as Node's parser.initialize(type, {}, max, lenient). */
void nh_init(nh_parser_t* nh, int type, uint64_t max_header_size, uint32_t lenient_flags);
/* Parse `len` bytes. Returns a packed result: events, reported block bytes, NH_RC_* flags. */
int64_t nh_execute(nh_parser_t* nh, const char* data, size_t len);
/* Continue a batch paused with NH_RC_DECIDE, given on_headers_complete's answer. */
int64_t nh_decide(nh_parser_t* nh, int answer, const char* data, size_t len);
/* End of input, as Node's parser.finish(). */
int64_t nh_finish(nh_parser_t* nh);
void nh_pause(nh_parser_t* nh);
void nh_resume(nh_parser_t* nh);
const char* nh_version(void);

/* Publishes the CPython dispatch (nh_dispatch.c) as nodehttp._llhttp.dispatch. */
int nh_export_dispatch(void);

/* Test-only: a bare llhttp parser whose every callback is traced to Python. */
void nh_trace_init(llhttp_t* parser, int type);

#endif /* NODEHTTP_NH_PARSER_H_ */
