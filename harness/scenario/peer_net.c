/* Network peers: "tcp:HOST:PORT" (a TCP client to any server: the peer is
 * the server), "listen:PORT" (we accept one connection per connect: the peer
 * is a client) and "exec:COMMAND" (a command we start, its {port} replaced by
 * a free port: a server we connect to, or a client we start per connection
 * and accept). The peer's view of a connection is unknown (info.known = 0);
 * a peer that keeps tickets does so on its own, our side does the resumption.
 *
 * Sockets are non-blocking; a read waits with poll up to its deadline. EOF is
 * an orderly close or a reset. */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>

#include "peer_internal.h"

#define DEFAULT_CONNECT_TIMEOUT_MS 10000u

/* How long a write may wait for the peer to take our bytes. */
#define WRITE_TIMEOUT_MS 10000

/* How much of the command's stderr is kept (the tail). */
#define STDERR_TAIL 4096

typedef struct {
    th_peer base;
    th_peer_kind kind;
    int role;
    unsigned connect_timeout_ms;
    char host[256]; /* tcp */
    uint16_t port;  /* tcp, listen, exec */
    int listen_fd;  /* listen, exec with a client peer */
    int fd;         /* the current connection */
    int eof;
    /* exec */
    char *command; /* {port} replaced */
    pid_t pid;     /* the running command (its process group), 0 if none */
    int exited;    /* the last command exited on its own */
    int exit_status;
    int stdin_fd;  /* our end of its stdin, kept open so it never sees EOF */
    int stderr_fd; /* our end of its stderr */
    char tail[STDERR_TAIL];
    size_t tail_len;
    char error[256];
} net_peer;

static long long now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int set_nonblock(int fd) {
    int flags = fcntl(fd, F_GETFL, 0);
    return flags >= 0 && fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0;
}

/* Appends what the command wrote to stderr to the tail buffer. */
static void drain_stderr(net_peer *p) {
    if (p->stderr_fd < 0) {
        return;
    }
    /* Smaller than the tail, so a read always fits in it. */
    char buf[STDERR_TAIL / 4];
    for (;;) {
        ssize_t n = read(p->stderr_fd, buf, sizeof(buf));
        if (n <= 0) {
            if (n == 0) {
                close(p->stderr_fd);
                p->stderr_fd = -1;
            }
            return;
        }
        size_t keep = sizeof(p->tail) - (size_t)n;
        if (p->tail_len > keep) {
            memmove(p->tail, p->tail + (p->tail_len - keep), keep);
            p->tail_len = keep;
        }
        memcpy(p->tail + p->tail_len, buf, (size_t)n);
        p->tail_len += (size_t)n;
    }
}

/* The last non-empty line the command wrote to stderr ("" if none). */
static void last_stderr_line(net_peer *p, char *out, size_t cap) {
    drain_stderr(p);
    size_t end = p->tail_len;
    while (end > 0 && (p->tail[end - 1] == '\n' || p->tail[end - 1] == '\r')) {
        end--;
    }
    size_t start = end;
    while (start > 0 && p->tail[start - 1] != '\n') {
        start--;
    }
    size_t n = end - start < cap - 1 ? end - start : cap - 1;
    memcpy(out, p->tail + start, n);
    out[n] = '\0';
}

/* 1 while the command runs; notes its exit status once it ended. */
static int child_alive(net_peer *p) {
    if (p->pid <= 0) {
        return 0;
    }
    int status = 0;
    pid_t r = waitpid(p->pid, &status, WNOHANG);
    if (r == 0) {
        return 1;
    }
    /* The group may still hold what the shell started. */
    kill(-p->pid, SIGKILL);
    p->pid = 0;
    p->exited = 1;
    p->exit_status = r > 0 ? status : 0;
    return 0;
}

static void describe_exit(net_peer *p, char *out, size_t cap) {
    char line[200];
    last_stderr_line(p, line, sizeof(line));
    int st = p->exit_status;
    if (WIFEXITED(st)) {
        snprintf(out, cap, "command exited with status %d%s%s", WEXITSTATUS(st),
                 line[0] ? ": " : "", line);
    } else if (WIFSIGNALED(st)) {
        snprintf(out, cap, "command killed by signal %d%s%s", WTERMSIG(st), line[0] ? ": " : "",
                 line);
    } else {
        snprintf(out, cap, "command ended%s%s", line[0] ? ": " : "", line);
    }
}

static int tcp_connect(const char *host, uint16_t port, int timeout_ms, char *why, size_t why_len);

/* SIGTERM to the command's process group, SIGKILL after 1 s. */
static void stop_child(net_peer *p) {
    if (p->pid > 0) {
        pid_t pid = p->pid;
        kill(-pid, SIGTERM);
        long long until = now_ms() + 1000;
        int status;
        pid_t r;
        while ((r = waitpid(pid, &status, WNOHANG)) == 0 && now_ms() < until) {
            struct timespec ts = {0, 10 * 1000000};
            nanosleep(&ts, NULL);
        }
        if (r == 0) {
            kill(-pid, SIGKILL);
            waitpid(pid, &status, 0);
        } else {
            /* The shell is gone; what it started may not be. */
            kill(-pid, SIGKILL);
        }
        /* Its children are not ours to wait for, and a killed one may stay
         * a zombie a while: for a server command, wait (at most 1 s) until
         * its port refuses connections, so a later run can take it. */
        until = now_ms() + 1000;
        while (p->role == TH_ROLE_SERVER && p->port != 0 && now_ms() < until) {
            char why[64];
            int fd = tcp_connect("127.0.0.1", p->port, 100, why, sizeof(why));
            if (fd < 0) {
                break;
            }
            close(fd);
            struct timespec ts = {0, 5 * 1000000};
            nanosleep(&ts, NULL);
        }
        p->pid = 0;
    }
    drain_stderr(p);
    if (p->stderr_fd >= 0) {
        close(p->stderr_fd);
        p->stderr_fd = -1;
    }
    if (p->stdin_fd >= 0) {
        close(p->stdin_fd);
        p->stdin_fd = -1;
    }
}

/* pipe() with both ends close-on-exec: only the child's dup2 copies are
 * inherited. */
static int cloexec_pipe(int fds[2]) {
    if (pipe(fds) != 0) {
        return 0;
    }
    if (fcntl(fds[0], F_SETFD, FD_CLOEXEC) != 0 || fcntl(fds[1], F_SETFD, FD_CLOEXEC) != 0) {
        close(fds[0]);
        close(fds[1]);
        return 0;
    }
    return 1;
}

static int start_child(net_peer *p, char *err, size_t err_len) {
    int in_pipe[2], err_pipe[2];
    if (!cloexec_pipe(in_pipe)) {
        th_peer_set_error(err, err_len, "exec peer: pipe: %s", strerror(errno));
        return 0;
    }
    if (!cloexec_pipe(err_pipe)) {
        th_peer_set_error(err, err_len, "exec peer: pipe: %s", strerror(errno));
        close(in_pipe[0]);
        close(in_pipe[1]);
        return 0;
    }
    int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
    p->tail_len = 0;
    p->exited = 0;
    pid_t pid = fork();
    if (pid == 0) {
        /* Only async-signal-safe calls between fork and exec. */
        setpgid(0, 0);
        dup2(in_pipe[0], 0);
        if (devnull >= 0) {
            dup2(devnull, 1);
        }
        dup2(err_pipe[1], 2);
        execl("/bin/sh", "sh", "-c", p->command, (char *)NULL);
        _exit(127);
    }
    close(in_pipe[0]);
    close(err_pipe[1]);
    if (devnull >= 0) {
        close(devnull);
    }
    if (pid < 0) {
        th_peer_set_error(err, err_len, "exec peer: fork: %s", strerror(errno));
        close(in_pipe[1]);
        close(err_pipe[0]);
        return 0;
    }
    /* Both sides set the group, so a kill right after fork reaches it. */
    setpgid(pid, pid);
    p->pid = pid;
    p->stdin_fd = in_pipe[1];
    p->stderr_fd = err_pipe[0];
    if (!set_nonblock(p->stderr_fd)) {
        th_peer_set_error(err, err_len, "exec peer: fcntl: %s", strerror(errno));
        stop_child(p);
        return 0;
    }
    return 1;
}

/* One non-blocking connect attempt to |ai| within |timeout_ms|: the socket,
 * or -1 with errno set. */
static int connect_one(const struct addrinfo *ai, int timeout_ms) {
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) {
        return -1;
    }
    if (!set_nonblock(fd)) {
        goto err;
    }
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
        if (errno != EINPROGRESS) {
            goto err;
        }
        struct pollfd pfd = {fd, POLLOUT, 0};
        int r = poll(&pfd, 1, timeout_ms);
        if (r == 0) {
            errno = ETIMEDOUT;
            goto err;
        }
        int soerr = 0;
        socklen_t len = sizeof(soerr);
        if (r < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) != 0) {
            goto err;
        }
        if (soerr != 0) {
            errno = soerr;
            goto err;
        }
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    return fd;

err:;
    int saved = errno;
    close(fd);
    errno = saved;
    return -1;
}

/* Connects to host:port trying every address; -1 with errno (or a resolver
 * message in |why|). */
static int tcp_connect(const char *host, uint16_t port, int timeout_ms, char *why, size_t why_len) {
    char service[8];
    snprintf(service, sizeof(service), "%u", port);
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    int gai = getaddrinfo(host, service, &hints, &res);
    if (gai != 0) {
        /* A long host name is cut in the message; that is all truncation does. */
        if (snprintf(why, why_len, "cannot resolve %.200s: %s", host, gai_strerror(gai)) < 0) {
            why[0] = '\0';
        }
        return -1;
    }
    int fd = -1;
    int saved = ECONNREFUSED;
    for (const struct addrinfo *ai = res; ai != NULL && fd < 0; ai = ai->ai_next) {
        fd = connect_one(ai, timeout_ms);
        if (fd < 0) {
            saved = errno;
        }
    }
    freeaddrinfo(res);
    if (fd < 0) {
        snprintf(why, why_len, "%s", strerror(saved));
    }
    return fd;
}

/* A listening socket on |port| (0: any free port) of |loopback| or every
 * address; the port in *out_port. */
static int listen_on(uint16_t port, int loopback, uint16_t *out_port, char *why, size_t why_len) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        snprintf(why, why_len, "socket: %s", strerror(errno));
        return -1;
    }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    sa.sin_addr.s_addr = htonl(loopback ? INADDR_LOOPBACK : INADDR_ANY);
    socklen_t len = sizeof(sa);
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(fd, 8) != 0 ||
        !set_nonblock(fd) || getsockname(fd, (struct sockaddr *)&sa, &len) != 0) {
        snprintf(why, why_len, "cannot listen on port %u: %s", port, strerror(errno));
        close(fd);
        return -1;
    }
    *out_port = ntohs(sa.sin_port);
    return fd;
}

static void close_conn(net_peer *p) {
    if (p->fd >= 0) {
        close(p->fd);
        p->fd = -1;
    }
    p->eof = 0;
}

/* exec with a server peer: connect to the command's port until it accepts. */
static int exec_server_connect(net_peer *p, char *err, size_t err_len) {
    long long until = now_ms() + p->connect_timeout_ms;
    char why[256] = "";
    for (;;) {
        if (!child_alive(p)) {
            char what[256];
            describe_exit(p, what, sizeof(what));
            snprintf(p->error, sizeof(p->error), "%s", what);
            th_peer_set_error(err, err_len, "exec peer: %s", what);
            return 0;
        }
        p->fd = tcp_connect("127.0.0.1", p->port, 1000, why, sizeof(why));
        if (p->fd >= 0) {
            return 1;
        }
        drain_stderr(p);
        if (now_ms() >= until) {
            char line[200];
            last_stderr_line(p, line, sizeof(line));
            snprintf(p->error, sizeof(p->error), "%s", line);
            th_peer_set_error(err, err_len,
                              "exec peer: nothing accepted on port %u within %u ms (%s)%s%s",
                              p->port, p->connect_timeout_ms, why, line[0] ? ": " : "", line);
            return 0;
        }
        struct timespec ts = {0, 20 * 1000000};
        nanosleep(&ts, NULL);
    }
}

/* Waits for a connection on the listening socket (exec: while the command
 * runs). */
static int accept_conn(net_peer *p, char *err, size_t err_len) {
    long long until = now_ms() + p->connect_timeout_ms;
    for (;;) {
        long long left = until - now_ms();
        if (left <= 0) {
            char line[200] = "";
            if (p->kind == TH_PEER_KIND_EXEC) {
                last_stderr_line(p, line, sizeof(line));
                snprintf(p->error, sizeof(p->error), "%s", line);
            }
            th_peer_set_error(err, err_len,
                              "%s peer: no client connected to port %u within %u ms%s%s",
                              p->kind == TH_PEER_KIND_EXEC ? "exec" : "listen", p->port,
                              p->connect_timeout_ms, line[0] ? ": " : "", line);
            return 0;
        }
        struct pollfd pfd = {p->listen_fd, POLLIN, 0};
        int r = poll(&pfd, 1, left > 50 ? 50 : (int)left);
        if (r > 0) {
            int fd = accept(p->listen_fd, NULL, NULL);
            if (fd >= 0) {
                if (!set_nonblock(fd) || fcntl(fd, F_SETFD, FD_CLOEXEC) != 0) {
                    th_peer_set_error(err, err_len, "fcntl: %s", strerror(errno));
                    close(fd);
                    return 0;
                }
                int one = 1;
                setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
                p->fd = fd;
                return 1;
            }
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR &&
                errno != ECONNABORTED) {
                th_peer_set_error(err, err_len, "accept: %s", strerror(errno));
                return 0;
            }
        } else if (r < 0 && errno != EINTR) {
            th_peer_set_error(err, err_len, "poll: %s", strerror(errno));
            return 0;
        }
        if (p->kind == TH_PEER_KIND_EXEC) {
            drain_stderr(p);
            if (!child_alive(p)) {
                char what[256];
                describe_exit(p, what, sizeof(what));
                snprintf(p->error, sizeof(p->error), "%s", what);
                th_peer_set_error(err, err_len, "exec peer: %s before connecting", what);
                return 0;
            }
        }
    }
}

static int net_connect(th_peer *base, char *err, size_t err_len) {
    net_peer *p = (net_peer *)base;
    close_conn(p);
    p->error[0] = '\0';
    char why[256] = "";
    switch (p->kind) {
    case TH_PEER_KIND_TCP:
        p->fd = tcp_connect(p->host, p->port, (int)p->connect_timeout_ms, why, sizeof(why));
        if (p->fd < 0) {
            th_peer_set_error(err, err_len, "tcp peer: cannot connect to %s:%u: %s", p->host,
                              p->port, why);
            return 0;
        }
        return 1;
    case TH_PEER_KIND_LISTEN:
        return accept_conn(p, err, err_len);
    case TH_PEER_KIND_EXEC:
        if (p->role == TH_ROLE_SERVER) {
            if (p->pid == 0 && !p->exited && !start_child(p, err, err_len)) {
                return 0;
            }
            return exec_server_connect(p, err, err_len);
        }
        /* A client command per connection. */
        stop_child(p);
        if (!start_child(p, err, err_len)) {
            return 0;
        }
        return accept_conn(p, err, err_len);
    default:
        th_peer_set_error(err, err_len, "bad network peer");
        return 0;
    }
}

static int net_write(th_peer *base, const uint8_t *in, size_t len, char *err, size_t err_len) {
    net_peer *p = (net_peer *)base;
    if (p->fd < 0) {
        th_peer_set_error(err, err_len, "%s: not connected", p->base.spec);
        return 0;
    }
    size_t off = 0;
    long long until = now_ms() + WRITE_TIMEOUT_MS;
    while (off < len) {
        ssize_t n = send(p->fd, in + off, len - off, MSG_NOSIGNAL);
        if (n > 0) {
            off += (size_t)n;
            continue;
        }
        if (n < 0 && (errno == EPIPE || errno == ECONNRESET)) {
            return 1; /* the peer has closed: our bytes are dropped */
        }
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            long long left = until - now_ms();
            if (left <= 0) {
                th_peer_set_error(err, err_len, "%s: the peer took no data for %d ms", p->base.spec,
                                  WRITE_TIMEOUT_MS);
                return 0;
            }
            struct pollfd pfd = {p->fd, POLLOUT, 0};
            poll(&pfd, 1, (int)left);
            continue;
        }
        th_peer_set_error(err, err_len, "%s: send: %s", p->base.spec, strerror(errno));
        return 0;
    }
    return 1;
}

static th_peer_read_result net_read(th_peer *base, uint8_t *out, size_t cap, size_t *out_len,
                                    unsigned deadline_ms, char *err, size_t err_len) {
    net_peer *p = (net_peer *)base;
    *out_len = 0;
    if (p->fd < 0 || p->eof) {
        return TH_PEER_READ_EOF;
    }
    long long until = now_ms() + deadline_ms;
    for (;;) {
        ssize_t n = recv(p->fd, out, cap, 0);
        if (n > 0) {
            *out_len = (size_t)n;
            return TH_PEER_READ_DATA;
        }
        if (n == 0 || errno == ECONNRESET) {
            p->eof = 1;
            return TH_PEER_READ_EOF;
        }
        if (errno == EINTR) {
            continue;
        }
        if (errno != EAGAIN && errno != EWOULDBLOCK) {
            th_peer_set_error(err, err_len, "%s: recv: %s", p->base.spec, strerror(errno));
            return TH_PEER_READ_ERROR;
        }
        long long left = until - now_ms();
        if (left <= 0) {
            if (p->kind == TH_PEER_KIND_EXEC) {
                drain_stderr(p);
            }
            return TH_PEER_READ_NONE;
        }
        struct pollfd pfd = {p->fd, POLLIN, 0};
        if (poll(&pfd, 1, (int)left) < 0 && errno != EINTR) {
            th_peer_set_error(err, err_len, "%s: poll: %s", p->base.spec, strerror(errno));
            return TH_PEER_READ_ERROR;
        }
    }
}

static void net_disconnect(th_peer *base) {
    net_peer *p = (net_peer *)base;
    close_conn(p);
}

static void net_info(th_peer *base, th_peer_info *out) {
    net_peer *p = (net_peer *)base;
    out->known = 0;
    if (p->kind == TH_PEER_KIND_EXEC && p->error[0] == '\0' && !child_alive(p) && p->exited) {
        describe_exit(p, p->error, sizeof(p->error));
    }
    snprintf(out->error, sizeof(out->error), "%s", p->error);
}

static void net_free(th_peer *base) {
    net_peer *p = (net_peer *)base;
    close_conn(p);
    stop_child(p);
    if (p->listen_fd >= 0) {
        close(p->listen_fd);
    }
    free(p->command);
    free(p->base.spec);
    free(p);
}

static const th_peer_ops kNetOps = {
    net_connect, net_write, net_read, net_disconnect, net_info, net_free,
};

/* |cmd| with every "{port}" replaced by |port|; NULL when out of memory. */
static char *substitute_port(const char *cmd, uint16_t port) {
    char num[8];
    snprintf(num, sizeof(num), "%u", port);
    size_t count = 0;
    for (const char *s = strstr(cmd, "{port}"); s != NULL; s = strstr(s + 6, "{port}")) {
        count++;
    }
    size_t len = strlen(cmd) + count * strlen(num) + 1;
    char *out = malloc(len);
    if (out == NULL) {
        return NULL;
    }
    char *w = out;
    for (const char *s = cmd; *s != '\0';) {
        if (strncmp(s, "{port}", 6) == 0) {
            memcpy(w, num, strlen(num));
            w += strlen(num);
            s += 6;
        } else {
            *w++ = *s++;
        }
    }
    *w = '\0';
    return out;
}

th_peer *th_peer_net_new(const char *spec, th_peer_kind kind, int peer_role, const th_sc_side *cfg,
                         const th_peer_opts *opts, char *err, size_t err_len) {
    if (kind == TH_PEER_KIND_TCP && peer_role != TH_ROLE_SERVER) {
        th_peer_set_error(err, err_len,
                          "peer %s connects to a server, but this scenario needs a client peer "
                          "(use listen:PORT)",
                          spec);
        return NULL;
    }
    if (kind == TH_PEER_KIND_LISTEN && peer_role != TH_ROLE_CLIENT) {
        th_peer_set_error(err, err_len,
                          "peer %s waits for a client, but this scenario needs a server peer "
                          "(use tcp:HOST:PORT)",
                          spec);
        return NULL;
    }
    net_peer *p = calloc(1, sizeof(*p));
    if (p == NULL) {
        th_peer_set_error(err, err_len, "out of memory");
        return NULL;
    }
    p->base.ops = &kNetOps;
    p->kind = kind;
    p->role = peer_role;
    p->fd = p->listen_fd = p->stdin_fd = p->stderr_fd = -1;
    p->connect_timeout_ms = opts != NULL && opts->connect_timeout_ms != 0
                                ? opts->connect_timeout_ms
                                : DEFAULT_CONNECT_TIMEOUT_MS;
    p->base.spec = strdup(spec);
    if (p->base.spec == NULL) {
        th_peer_set_error(err, err_len, "out of memory");
        goto err;
    }
    char why[256];
    switch (kind) {
    case TH_PEER_KIND_TCP:
        if (!th_peer_parse_host_port(spec + 4, p->host, sizeof(p->host), &p->port)) {
            th_peer_set_error(err, err_len, "bad peer %s: expected tcp:HOST:PORT", spec);
            goto err;
        }
        break;
    case TH_PEER_KIND_LISTEN: {
        uint16_t want = (uint16_t)strtoul(spec + 7, NULL, 10);
        p->listen_fd = listen_on(want, 0, &p->port, why, sizeof(why));
        if (p->listen_fd < 0) {
            th_peer_set_error(err, err_len, "peer %s: %s", spec, why);
            goto err;
        }
        break;
    }
    case TH_PEER_KIND_EXEC: {
        const char *cmd = spec + 5;
        if (strstr(cmd, "{port}") == NULL) {
            th_peer_set_error(err, err_len,
                              "peer %s: the command must contain {port} (the port it %s)", spec,
                              peer_role == TH_ROLE_SERVER ? "listens on" : "connects to");
            goto err;
        }
        /* A free port: the kernel's pick on the loopback. A server command
         * binds it after we release it. */
        int fd = listen_on(0, 1, &p->port, why, sizeof(why));
        if (fd < 0) {
            th_peer_set_error(err, err_len, "peer %s: %s", spec, why);
            goto err;
        }
        if (peer_role == TH_ROLE_CLIENT) {
            p->listen_fd = fd;
        } else {
            close(fd);
        }
        p->command = substitute_port(cmd, p->port);
        if (p->command == NULL) {
            th_peer_set_error(err, err_len, "out of memory");
            goto err;
        }
        if (peer_role == TH_ROLE_SERVER && !start_child(p, err, err_len)) {
            goto err;
        }
        break;
    }
    default:
        th_peer_set_error(err, err_len, "bad network peer %s", spec);
        goto err;
    }
    (void)cfg;
    return &p->base;

err:
    net_free(&p->base);
    return NULL;
}

uint16_t th_peer_net_port(const th_peer *peer) {
    if (peer == NULL || peer->ops != &kNetOps) {
        return 0;
    }
    return ((const net_peer *)peer)->port;
}
