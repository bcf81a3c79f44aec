/* Subcommands of the tlsharness CLI. Each takes argv starting at its own name
 * and returns the process exit status: 0 ok, 1 a failure found, 2 usage or
 * input error. */
#ifndef TH_CLI_H
#define TH_CLI_H

int th_cli_bench(int argc, char **argv);
int th_cli_client(int argc, char **argv);
int th_cli_corpus(int argc, char **argv);
int th_cli_decode(int argc, char **argv);
int th_cli_replay(int argc, char **argv);
int th_cli_run(int argc, char **argv);
int th_cli_server(int argc, char **argv);
int th_cli_targets(int argc, char **argv);
int th_cli_validate(int argc, char **argv);

#endif
