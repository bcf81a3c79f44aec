/* Test helper for the CLI tests: checks that a file (or stdin) holds one
 * JSON object whose "field" is a string, i.e. a decoder tree. CI machines
 * need not have python or jq, so the tests use this instead. Exit 0 when it
 * does, 1 otherwise (with jansson's line and column). */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

int main(int argc, char **argv) {
    json_error_t err;
    json_t *root = argc > 1 && strcmp(argv[1], "-") != 0 ? json_load_file(argv[1], 0, &err)
                                                         : json_loadf(stdin, 0, &err);
    if (root == NULL) {
        fprintf(stderr, "json_check: line %d, column %d: %s\n", err.line, err.column, err.text);
        return 1;
    }
    int ok = json_is_object(root) && json_is_string(json_object_get(root, "field"));
    if (!ok) {
        fprintf(stderr, "json_check: not a decoder tree (no \"field\")\n");
    }
    json_decref(root);
    return ok ? 0 : 1;
}
