/* Seeds from the `name = hex` vector files. */
#include "vectors.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/mem.h>

#include "split.h"

typedef struct {
    char *name;
    uint8_t *data;
    size_t len;
} entry;

typedef struct {
    entry *entries;
    size_t num;
} entry_list;

static void entries_cleanup(entry_list *l) {
    for (size_t i = 0; i < l->num; i++) {
        free(l->entries[i].name);
        free(l->entries[i].data);
    }
    free(l->entries);
    memset(l, 0, sizeof(*l));
}

static int hex_digit(int c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    c = tolower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Decodes |hex| (whitespace ignored) into a fresh buffer; 0 on bad hex. */
static int decode_hex(const char *hex, uint8_t **out, size_t *out_len) {
    size_t cap = strlen(hex) / 2 + 1, len = 0;
    uint8_t *buf = malloc(cap);
    int hi = -1;
    if (buf == NULL) {
        return 0;
    }
    for (const char *p = hex; *p; p++) {
        if (isspace((unsigned char)*p)) {
            continue;
        }
        int v = hex_digit((unsigned char)*p);
        if (v < 0) {
            free(buf);
            return 0;
        }
        if (hi < 0) {
            hi = v;
        } else {
            buf[len++] = (uint8_t)(hi << 4 | v);
            hi = -1;
        }
    }
    if (hi >= 0) {
        free(buf);
        return 0;
    }
    *out = buf;
    *out_len = len;
    return 1;
}

static char *trim(char *s) {
    while (isspace((unsigned char)*s)) {
        s++;
    }
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1])) {
        s[--n] = 0;
    }
    return s;
}

static int add_entry(entry_list *l, const char *name, uint8_t *data, size_t len) {
    entry *grown = th_array_grow(l->entries, l->num, sizeof(*grown));
    char *copy = strdup(name);
    if (grown == NULL || copy == NULL) {
        free(copy);
        return 0;
    }
    l->entries = grown;
    l->entries[l->num].name = copy;
    l->entries[l->num].data = data;
    l->entries[l->num].len = len;
    l->num++;
    return 1;
}

static int load_entries(const char *path, entry_list *out, FILE *err) {
    FILE *f = fopen(path, "r");
    char *line = NULL;
    size_t cap = 0;
    unsigned lineno = 0;
    int ok = 1;
    memset(out, 0, sizeof(*out));
    if (f == NULL) {
        fprintf(err, "corpus: %s: %s\n", path, strerror(errno));
        return 0;
    }
    while (ok && getline(&line, &cap, f) != -1) {
        lineno++;
        char *s = trim(line);
        if (*s == 0 || *s == '#') {
            continue;
        }
        char *eq = strchr(s, '=');
        uint8_t *data;
        size_t len;
        if (eq == NULL) {
            fprintf(err, "corpus: %s:%u: expected `name = hex`\n", path, lineno);
            ok = 0;
            break;
        }
        *eq = 0;
        if (!decode_hex(eq + 1, &data, &len)) {
            fprintf(err, "corpus: %s:%u: bad hex\n", path, lineno);
            ok = 0;
            break;
        }
        if (!add_entry(out, trim(s), data, len)) {
            free(data);
            fprintf(err, "corpus: out of memory\n");
            ok = 0;
        }
    }
    free(line);
    fclose(f);
    if (!ok) {
        entries_cleanup(out);
    }
    return ok;
}

static entry *find_entry(const entry_list *l, const char *name) {
    for (size_t i = 0; i < l->num; i++) {
        if (strcmp(l->entries[i].name, name) == 0) {
            return &l->entries[i];
        }
    }
    return NULL;
}

/* RFC 8448 §4 gives the 0-RTT ClientHello as the bytes up to the binders
 * list and the binder; the whole message is prefix || u16 binders length ||
 * u8 binder length || binder (RFC 8446 §4.2.11). */
static int rebuild_psk_client_hello(entry_list *l, FILE *err) {
    entry *prefix = find_entry(l, "client_hello_prefix");
    const entry *binder = find_entry(l, "psk_binder");
    CBB cbb, binders, one;
    uint8_t *data;
    size_t len;
    if (prefix == NULL || binder == NULL || find_entry(l, "client_hello") != NULL) {
        return 1;
    }
    if (!CBB_init(&cbb, prefix->len + binder->len + 3) ||
        !CBB_add_bytes(&cbb, prefix->data, prefix->len) ||
        !CBB_add_u16_length_prefixed(&cbb, &binders) ||
        !CBB_add_u8_length_prefixed(&binders, &one) ||
        !CBB_add_bytes(&one, binder->data, binder->len) || !CBB_finish(&cbb, &data, &len)) {
        CBB_cleanup(&cbb);
        fprintf(err, "corpus: out of memory\n");
        return 0;
    }
    uint8_t *copy = malloc(len);
    if (copy == NULL) {
        OPENSSL_free(data);
        return 0;
    }
    memcpy(copy, data, len);
    OPENSSL_free(data);
    /* Put it where the prefix was, so it comes first in its handshake. */
    entry *slot = prefix;
    char *name = strdup("client_hello");
    if (name == NULL) {
        free(copy);
        return 0;
    }
    free(slot->name);
    free(slot->data);
    slot->name = name;
    slot->data = copy;
    slot->len = len;
    return 1;
}

static const char *const kMessageNames[] = {
    "client_hello",       "server_hello",        "hello_retry_request", "encrypted_extensions",
    "certificate",        "certificate_request", "certificate_verify",  "finished",
    "new_session_ticket", "end_of_early_data",   "certificate_status",  "server_key_exchange",
    "server_hello_done",  "client_key_exchange", "key_update",          "hello_request",
};

static int is_message_name(const char *name) {
    size_t n = strlen(name);
    for (size_t i = 0; i < sizeof(kMessageNames) / sizeof(kMessageNames[0]); i++) {
        size_t m = strlen(kMessageNames[i]);
        if (n == m && strcmp(name, kMessageNames[i]) == 0) {
            return 1;
        }
        if (n > m && name[n - m - 1] == '_' && strcmp(name + n - m, kMessageNames[i]) == 0) {
            return 1;
        }
    }
    return 0;
}

/* The handshake an entry belongs to: the part before _client_ or _server_. */
static size_t group_len(const char *name) {
    const char *c = strstr(name, "_client_"), *s = strstr(name, "_server_");
    const char *first = c && (!s || c < s) ? c : s;
    return first ? (size_t)(first - name) : 0;
}

static int same_group(const char *a, const char *b) {
    size_t la = group_len(a), lb = group_len(b);
    return la == lb && strncmp(a, b, la) == 0;
}

static int split_group(th_seed_set *set, const entry_list *l, size_t first, const char *source) {
    th_split_ctx s;
    int ok = 1;
    th_split_init(&s, set, source, 0, 0);
    for (size_t i = first; i < l->num && ok; i++) {
        const entry *e = &l->entries[i];
        if (!same_group(e->name, l->entries[first].name) || !is_message_name(e->name)) {
            continue;
        }
        ok = th_split_handshake_message(&s, e->data, e->len);
        /* TLS 1.3 protects every handshake message but the hellos. */
        if (ok && s.version == TH_VERSION_TLS13 && e->len != 0 &&
            e->data[0] != TH_HS_CLIENT_HELLO && e->data[0] != TH_HS_SERVER_HELLO) {
            ok = th_split_inner_plaintext(&s, TH_CT_HANDSHAKE, e->data, e->len);
        }
    }
    th_split_cleanup(&s);
    return ok;
}

int th_corpus_vectors_file(th_seed_set *set, const char *path, FILE *err) {
    entry_list l;
    if (!load_entries(path, &l, err)) {
        return 0;
    }
    int ok = rebuild_psk_client_hello(&l, err);
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t base_len = strlen(base);
    if (base_len > 4 && strcmp(base + base_len - 4, ".txt") == 0) {
        base_len -= 4;
    }
    for (size_t i = 0; i < l.num && ok; i++) {
        if (!is_message_name(l.entries[i].name)) {
            continue;
        }
        int seen = 0;
        for (size_t j = 0; j < i && !seen; j++) {
            seen = is_message_name(l.entries[j].name) &&
                   same_group(l.entries[j].name, l.entries[i].name);
        }
        if (seen) {
            continue;
        }
        char source[256];
        size_t glen = group_len(l.entries[i].name);
        if (glen != 0) {
            snprintf(source, sizeof(source), "%.*s:%.*s", (int)base_len, base, (int)glen,
                     l.entries[i].name);
        } else {
            snprintf(source, sizeof(source), "%.*s", (int)base_len, base);
        }
        ok = split_group(set, &l, i, source);
        if (!ok) {
            fprintf(err, "corpus: out of memory\n");
        }
    }
    entries_cleanup(&l);
    return ok;
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int th_corpus_vectors_dir(th_seed_set *set, const char *dir, FILE *err) {
    DIR *d = opendir(dir);
    char **names = NULL;
    size_t num = 0;
    int ok = 1;
    if (d == NULL) {
        fprintf(err, "corpus: %s: %s\n", dir, strerror(errno));
        return 0;
    }
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        size_t n = strlen(de->d_name);
        if (de->d_name[0] == '.' || n < 5 || strcmp(de->d_name + n - 4, ".txt") != 0) {
            continue;
        }
        char **grown = th_array_grow(names, num, sizeof(*grown));
        char *path = malloc(strlen(dir) + n + 2);
        if (grown == NULL || path == NULL) {
            free(path);
            ok = 0;
            break;
        }
        names = grown;
        sprintf(path, "%s/%s", dir, de->d_name);
        names[num++] = path;
    }
    closedir(d);
    if (num > 1) {
        qsort(names, num, sizeof(*names), cmp_str);
    }
    for (size_t i = 0; i < num; i++) {
        ok = ok && th_corpus_vectors_file(set, names[i], err);
        free(names[i]);
    }
    free(names);
    if (!ok) {
        fprintf(err, "corpus: %s: cannot read the vectors\n", dir);
    }
    return ok;
}
