/* Test helper for the `tlsharness run` tests: prints one line per result of a
 * JSON report, "<id>[<matrix>] <peer> <verdict>" ("<id> <peer> <verdict>"
 * without a matrix), then "schema <version>". Exit 1 when the file is not a
 * report of the documented shape. */
#include <stdio.h>

#include <jansson.h>

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: report_verdicts REPORT.json\n");
        return 2;
    }
    json_error_t err;
    json_t *root = json_load_file(argv[1], 0, &err);
    if (root == NULL) {
        fprintf(stderr, "report_verdicts: line %d, column %d: %s\n", err.line, err.column,
                err.text);
        return 1;
    }
    json_t *results = json_object_get(root, "results");
    json_t *version = json_object_get(root, "schema_version");
    if (!json_is_array(results) || !json_is_integer(version)) {
        fprintf(stderr, "report_verdicts: no results array or schema_version\n");
        json_decref(root);
        return 1;
    }
    size_t i;
    json_t *r;
    json_array_foreach(results, i, r) {
        const char *id = json_string_value(json_object_get(r, "id"));
        const char *matrix = json_string_value(json_object_get(r, "matrix"));
        const char *peer = json_string_value(json_object_get(r, "peer"));
        const char *verdict = json_string_value(json_object_get(r, "verdict"));
        if (id == NULL || peer == NULL || verdict == NULL) {
            fprintf(stderr, "report_verdicts: result %zu lacks id, peer or verdict\n", i);
            json_decref(root);
            return 1;
        }
        if (matrix != NULL) {
            printf("%s[%s] %s %s\n", id, matrix, peer, verdict);
        } else {
            printf("%s %s %s\n", id, peer, verdict);
        }
    }
    printf("schema %lld\n", (long long)json_integer_value(version));
    json_decref(root);
    return 0;
}
