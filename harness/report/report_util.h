/* Internal helpers shared by the report writers (json.c, junit.c,
 * markdown.c, html.c): file output with error messages, UTF-8 decoding that
 * survives invalid input, the scenario x peer grid, and the JSON tree that
 * both the JSON report and the HTML page are written from. */
#ifndef TH_REPORT_UTIL_H
#define TH_REPORT_UTIL_H
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "result.h"

/* Formats a message into |err| (when non-NULL) and returns 0, so writers can
 * `return report_fail(...)`. */
int th_report_fail(char *err, size_t err_len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Opens |path| for writing. NULL with "path: reason" in |err| on failure. */
FILE *th_report_open(const char *path, char *err, size_t err_len);

/* Closes |f| and reports any write error that happened on it. 1 on success;
 * 0 with |err| set (a partial regular file is removed). */
int th_report_close(FILE *f, const char *path, char *err, size_t err_len);

/* Decodes one UTF-8 sequence at |s| (|len| > 0 bytes left) into *out_cp and
 * returns the bytes consumed. Invalid, overlong, surrogate or truncated
 * sequences decode as U+FFFD consuming one byte, so every input makes
 * progress. */
size_t th_utf8_next(const char *s, size_t len, uint32_t *out_cp);

/* A newly allocated copy of |s| in which invalid UTF-8 is replaced by U+FFFD
 * (jansson only takes valid UTF-8). NULL when |s| is NULL or out of memory. */
char *th_utf8_sanitize(const char *s);

/* The scenario x peer matrix: one row per distinct (scenario id, matrix
 * label) in first-seen order, one column per peer (run->peers first, then
 * peers that only appear in results). row_of/col_of map each result. */
typedef struct {
    size_t num_rows;
    size_t *row_first; /* num_rows: index of the first result of each row */
    size_t num_cols;
    const char **cols; /* num_cols: peer names, borrowed from |run| */
    size_t *row_of;    /* run->num_results */
    size_t *col_of;    /* run->num_results */
} th_report_grid;

/* Builds |grid| from |run|. 0 when out of memory (grid is left cleaned). */
int th_report_grid_build(const th_run *run, th_report_grid *grid);
void th_report_grid_cleanup(th_report_grid *grid);

/* Transcripts embedded in the HTML page and the JUnit XML are cut at this
 * many bytes (the whole one is in the transcript file): a runaway transcript
 * must not make the page too big for a browser or a CI log viewer. */
#define TH_REPORT_TRANSCRIPT_MAX (1024 * 1024)

/* How many bytes of |transcript| to embed: all of it up to
 * TH_REPORT_TRANSCRIPT_MAX, else the longest prefix that fits and ends on a
 * UTF-8 character boundary. */
size_t th_report_transcript_keep(const char *transcript);

/* The note that follows a cut transcript, e.g. "[... 123 more bytes in
 * transcripts/x.txt]", into |out|. */
void th_report_transcript_note(const th_result *r, size_t kept, char *out, size_t out_len);

/* The peer name used for a result without one. */
#define TH_REPORT_NO_PEER "(none)"

/* The report as a jansson tree (schema in docs/report-schema.json). With
 * |with_transcripts| each result also carries "transcript" (the HTML page
 * embeds it), cut as th_report_transcript_keep says. NULL when out of memory. The caller owns the
 * tree. */
json_t *th_report_json_tree(const th_run *run, int with_transcripts);

#endif
