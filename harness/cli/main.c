/* tlsharness: the command-line entry; one subcommand a file. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} kCommands[] = {
    {"bench", th_cli_bench, "benchmark our engine against BoringSSL (handshakes, bulk, memory)"},
    {"client", th_cli_client, "connect to a TLS 1.3 server, pipe stdin/stdout over it"},
    {"corpus", th_cli_corpus, "regenerate the fuzz seed corpora from BoringSSL handshakes"},
    {"decode", th_cli_decode, "decode TLS records or handshake messages into a readable tree"},
    {"replay", th_cli_replay, "run files or folders through a fuzz target, without libFuzzer"},
    {"run", th_cli_run, "run YAML scenarios against peers and write conformance reports"},
    {"server", th_cli_server, "serve TLS 1.3 (echo or HTTP/1.0) on a TCP port"},
    {"targets", th_cli_targets, "list the fuzz targets; print a target's dictionary or options"},
    {"validate", th_cli_validate, "check scenario and expectations files without running them"},
};

static void usage(FILE *f) {
    fprintf(f, "usage: tlsharness <command> [options]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof(kCommands) / sizeof(kCommands[0]); i++) {
        fprintf(f, "  %-10s %s\n", kCommands[i].name, kCommands[i].summary);
    }
    fprintf(f, "\n'tlsharness <command> --help' describes each command.\n");
}

int main(int argc, char **argv) {
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return 0;
    }
    for (size_t i = 0; i < sizeof(kCommands) / sizeof(kCommands[0]); i++) {
        if (strcmp(argv[1], kCommands[i].name) == 0) {
            return kCommands[i].run(argc - 1, argv + 1);
        }
    }
    fprintf(stderr, "tlsharness: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
