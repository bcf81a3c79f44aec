/* The scripted endpoint's shared helpers: randomness, the running transcript
 * hash and key schedule steps, the text transcript and NSS key log,
 * extension edits, certificates. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/mem.h>

#include "decode.h"
#include "ep_internal.h"
#include "extensions.h"
#include "names.h"
#include "server_hello.h"

void ep_random(th_ep *ep, uint8_t *out, size_t len) {
    while (len > 0) {
        size_t n = len > CTR_DRBG_MAX_GENERATE_LENGTH ? CTR_DRBG_MAX_GENERATE_LENGTH : len;
        if (ep->drbg == NULL || !CTR_DRBG_generate(ep->drbg, out, n, NULL, 0)) {
            /* The DRBG cannot fail after a successful seed; zeroes keep the
             * run deterministic should it ever do. */
            memset(out, 0, n);
        }
        out += n;
        len -= n;
    }
}

void ep_random_cb(void *ctx, uint8_t *out, size_t len) {
    ep_random(ctx, out, len);
}

int ep_transcript_add(th_ep *ep, const uint8_t *msg, size_t len) {
    if (ep->transcript_ready) {
        return th_transcript_update(&ep->transcript, msg, len);
    }
    uint8_t *p = realloc(ep->pending_th, ep->pending_th_len + len + 1);
    if (p == NULL) {
        return 0;
    }
    memcpy(p + ep->pending_th_len, msg, len);
    ep->pending_th = p;
    ep->pending_th_len += len;
    return 1;
}

int ep_transcript_start(th_ep *ep, uint16_t suite) {
    const EVP_MD *md = th_suite_hash(suite);
    if (md == NULL || !th_transcript_init(&ep->transcript, md)) {
        return 0;
    }
    ep->md = md;
    ep->transcript_ready = 1;
    if (ep->pending_th_len != 0 &&
        !th_transcript_update(&ep->transcript, ep->pending_th, ep->pending_th_len)) {
        return 0;
    }
    free(ep->pending_th);
    ep->pending_th = NULL;
    ep->pending_th_len = 0;
    return 1;
}

int ep_transcript_hash(th_ep *ep, uint8_t out[EVP_MAX_MD_SIZE], size_t *out_len) {
    if (!ep->transcript_ready) {
        return 0;
    }
    return th_transcript_hash(&ep->transcript, out, out_len);
}

int ep_transcript_hrr_rewrite(th_ep *ep) {
    return ep->transcript_ready && th_transcript_hrr_rewrite(&ep->transcript);
}

void ep_keylog(th_ep *ep, th_tls13_secret_id id, const th_secret *secret) {
    char line[TH_KEYLOG_LINE_MAX];
    if (ep->keylog != NULL && th_keylog_line(line, sizeof(line), id, ep->client_random,
                                             sizeof(ep->client_random), secret)) {
        fprintf(ep->keylog, "%s\n", line);
    }
}

int ep_derive(th_ep *ep, th_secret *out, const th_secret *from, th_tls13_secret_id id) {
    uint8_t hash[EVP_MAX_MD_SIZE];
    size_t hash_len;
    if (!ep_transcript_hash(ep, hash, &hash_len) ||
        !th_tls13_derive_secret(out, ep->md, from, id, hash, hash_len)) {
        return 0;
    }
    ep_keylog(ep, id, out);
    return 1;
}

int ep_derive_handshake(th_ep *ep, const uint8_t *ecdhe, size_t ecdhe_len) {
    if (ep->md == NULL) {
        return 0;
    }
    /* RFC 8446 §7.1: without a PSK the Early Secret is HKDF-Extract(0, 0). */
    if (!ep->psk_accepted && !th_tls13_early_secret(&ep->early_secret, ep->md, NULL, 0)) {
        return 0;
    }
    return th_tls13_handshake_secret(&ep->handshake_secret, ep->md, &ep->early_secret, ecdhe,
                                     ecdhe_len) &&
           ep_derive(ep, &ep->c_hs, &ep->handshake_secret, TH_TLS13_C_HS_TRAFFIC) &&
           ep_derive(ep, &ep->s_hs, &ep->handshake_secret, TH_TLS13_S_HS_TRAFFIC);
}

int ep_derive_application(th_ep *ep) {
    return th_tls13_master_secret(&ep->master_secret, ep->md, &ep->handshake_secret) &&
           ep_derive(ep, &ep->c_ap, &ep->master_secret, TH_TLS13_C_AP_TRAFFIC) &&
           ep_derive(ep, &ep->s_ap, &ep->master_secret, TH_TLS13_S_AP_TRAFFIC) &&
           ep_derive(ep, &ep->exp_master, &ep->master_secret, TH_TLS13_EXP_MASTER);
}

int ep_derive_res_master(th_ep *ep) {
    return ep_derive(ep, &ep->res_master, &ep->master_secret, TH_TLS13_RES_MASTER);
}

int ep_set_key(th_ep *ep, th_ep_dir *dir, th_sc_epoch epoch, uint16_t suite,
               const th_secret *secret) {
    th_rl_dir *slot;
    switch (epoch) {
    case TH_SC_EPOCH_EARLY:
        slot = &dir->early;
        break;
    case TH_SC_EPOCH_HANDSHAKE:
        slot = &dir->hs;
        break;
    case TH_SC_EPOCH_APPLICATION:
        slot = &dir->app;
        break;
    default:
        return 0;
    }
    if (suite == 0) {
        suite = ep->neg.cipher_suite;
    }
    th_rl_dir_cleanup(slot);
    if (!th_rl_dir_set_key(slot, suite, secret)) {
        return 0;
    }
    dir->cur_epoch = epoch;
    return 1;
}

int ep_finished_mac(th_ep *ep, const th_secret *base_key, th_secret *out) {
    uint8_t hash[EVP_MAX_MD_SIZE];
    size_t hash_len;
    return ep_transcript_hash(ep, hash, &hash_len) &&
           th_tls13_finished_mac(out, ep->md, base_key, hash, hash_len);
}

/* Where a position puts a new extension in |block| (RFC 8446 §4.2.11 keeps
 * pre_shared_key last, so END stays before it). */
static int resolve_position(const th_ext_block *block, int position, size_t *out) {
    size_t n = block->num_exts;
    if (position == TH_SC_POS_LAST) {
        *out = n;
    } else if (position == TH_SC_POS_END) {
        *out = (n > 0 && block->exts[n - 1].type == TH_EXT_PRE_SHARED_KEY) ? n - 1 : n;
    } else if (position >= 0 && (size_t)position <= n) {
        *out = (size_t)position;
    } else {
        return 0;
    }
    return 1;
}

static int insert_ext(th_ext_block *block, size_t at, th_ext ext) {
    th_ext *p = th_array_grow(block->exts, block->num_exts, sizeof(*p));
    if (p == NULL) {
        return 0;
    }
    block->exts = p;
    memmove(&p[at + 1], &p[at], (block->num_exts - at) * sizeof(*p));
    p[at] = ext;
    block->num_exts++;
    return 1;
}

static void remove_ext_at(th_ext_block *block, size_t at) {
    memmove(&block->exts[at], &block->exts[at + 1],
            (block->num_exts - at - 1) * sizeof(block->exts[0]));
    block->num_exts--;
}

static int find_ext_index(const th_ext_block *block, uint16_t type, size_t *out) {
    for (size_t i = 0; i < block->num_exts; i++) {
        if (block->exts[i].type == type) {
            *out = i;
            return 1;
        }
    }
    return 0;
}

int ep_apply_ext_ops(th_ext_block *block, const th_sc_ext_op *ops, size_t num_ops, char *err,
                     size_t err_len) {
    for (size_t i = 0; i < num_ops; i++) {
        const th_sc_ext_op *op = &ops[i];
        th_ext ext = {op->type, {op->body, op->body_len}};
        size_t at, idx;
        char nb[32];
        const char *name = th_name_or_hex(th_ext_name(op->type), op->type, nb, sizeof(nb));
        switch (op->op) {
        case TH_SC_EXT_REMOVE:
            while (find_ext_index(block, op->type, &idx)) {
                remove_ext_at(block, idx);
            }
            break;
        case TH_SC_EXT_ADD:
            if (!resolve_position(block, op->position, &at)) {
                snprintf(err, err_len, "add_extensions %s: position %d is outside the block", name,
                         op->position);
                return 0;
            }
            if (!insert_ext(block, at, ext)) {
                goto oom;
            }
            break;
        case TH_SC_EXT_REPLACE:
            if (find_ext_index(block, op->type, &idx)) {
                block->exts[idx].body = ext.body;
            } else if (!resolve_position(block, TH_SC_POS_END, &at) ||
                       !insert_ext(block, at, ext)) {
                goto oom;
            }
            break;
        case TH_SC_EXT_DUPLICATE:
            if (!find_ext_index(block, op->type, &idx)) {
                snprintf(err, err_len, "duplicate_extensions %s: the message has none", name);
                return 0;
            }
            if (!insert_ext(block, idx + 1, block->exts[idx])) {
                goto oom;
            }
            break;
        case TH_SC_EXT_MOVE:
            if (!find_ext_index(block, op->type, &idx)) {
                snprintf(err, err_len, "move_extensions %s: the message has none", name);
                return 0;
            }
            ext = block->exts[idx];
            remove_ext_at(block, idx);
            if (!resolve_position(block, op->position, &at)) {
                snprintf(err, err_len, "move_extensions %s: position %d is outside the block", name,
                         op->position);
                return 0;
            }
            if (!insert_ext(block, at, ext)) {
                goto oom;
            }
            break;
        }
    }
    return 1;
oom:
    snprintf(err, err_len, "out of memory");
    return 0;
}

int ep_flip_bit(uint8_t *buf, size_t len, size_t bit) {
    if (bit / 8 >= len) {
        return 0;
    }
    buf[bit / 8] ^= (uint8_t)(0x80 >> (bit % 8));
    return 1;
}

const th_sc_set *ep_find_set(const th_sc_send *step, th_sc_field field) {
    if (step == NULL) {
        return NULL;
    }
    const th_sc_set *found = NULL;
    for (size_t i = 0; i < step->num_sets; i++) {
        if (step->sets[i].field == field) {
            found = &step->sets[i];
        }
    }
    return found;
}

int ep_load_cert(th_ep *ep, const char *name, th_cert_key *out, char *err, size_t err_len) {
    char cert_path[1024], key_path[1024];
    const char *dir = ep->opts->pki_dir != NULL ? ep->opts->pki_dir : "scenarios/pki";
    snprintf(cert_path, sizeof(cert_path), "%s/%s-chain.pem", dir, name);
    snprintf(key_path, sizeof(key_path), "%s/%s.key", dir, name);
    return th_cert_key_load(cert_path, key_path, out, err, err_len);
}

X509_STORE *ep_trust(th_ep *ep, char *err, size_t err_len) {
    if (ep->trust == NULL) {
        char path[1024];
        const char *dir = ep->opts->pki_dir != NULL ? ep->opts->pki_dir : "scenarios/pki";
        snprintf(path, sizeof(path), "%s/root-ca.pem", dir);
        if (!th_trust_store_load(path, &ep->trust, err, err_len)) {
            return NULL;
        }
    }
    return ep->trust;
}

void ep_log(th_ep *ep, const char *fmt, ...) {
    if (ep->log == NULL) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    vfprintf(ep->log, fmt, ap);
    va_end(ap);
}

void ep_log_data(th_ep *ep, const uint8_t *data, size_t len) {
    if (ep->log == NULL) {
        return;
    }
    int printable = 1;
    size_t n = len < 48 ? len : 48;
    for (size_t i = 0; i < n; i++) {
        printable &= data[i] >= 0x20 && data[i] < 0x7f;
    }
    if (len == 0) {
        fputc('\n', ep->log);
    } else if (printable) {
        fprintf(ep->log, ": \"%.*s\"%s\n", (int)n, (const char *)data, len > n ? "..." : "");
    } else {
        fprintf(ep->log, ": ");
        for (size_t i = 0; i < n && i < 24; i++) {
            fprintf(ep->log, "%02x", data[i]);
        }
        fprintf(ep->log, "%s\n", len > 24 ? "..." : "");
    }
}

const char *ep_epoch_name(th_sc_epoch epoch) {
    switch (epoch) {
    case TH_SC_EPOCH_CURRENT:
        return "current";
    case TH_SC_EPOCH_PLAINTEXT:
        return "plaintext";
    case TH_SC_EPOCH_EARLY:
        return "early";
    case TH_SC_EPOCH_HANDSHAKE:
        return "handshake";
    case TH_SC_EPOCH_APPLICATION:
        return "application";
    case TH_SC_EPOCH_NEXT:
        return "next application";
    }
    return "?";
}

/* Lines of a decoded message shown in the transcript: enough for the header
 * fields and the extension list, short enough to read. */
#define LOG_MESSAGE_LINES 24

void ep_log_message(th_ep *ep, const char *dir, th_sc_epoch epoch, const uint8_t *msg, size_t len) {
    if (ep->log == NULL) {
        return;
    }
    th_sc_msg m = ep_msg_of_wire(msg, len);
    const char *name = m != TH_SC_MSG_NONE ? th_sc_msg_name(m) : NULL;
    char tb[32];
    const char *type_name =
        len > 0 ? th_name_or_hex(th_handshake_type_name(msg[0]), msg[0], tb, sizeof(tb)) : "?";
    fprintf(ep->log, "%s [%s] handshake %s (%zu bytes)\n", dir, ep_epoch_name(epoch),
            name != NULL ? name : type_name, len);
    if (len < TH_HANDSHAKE_HEADER_LEN || name == NULL) {
        return;
    }
    /* Once TLS 1.2 is agreed, its own forms of the messages whose wire format
     * differs ("certificate_tls12", ...). */
    uint16_t version = ep->neg.version == TH_VERSION_TLS12 ? TH_VERSION_TLS12 : TH_VERSION_TLS13;
    char name12[64];
    snprintf(name12, sizeof(name12), "%s_tls12", name);
    if (version == TH_VERSION_TLS12 && th_decode_message_known(name12)) {
        name = name12;
    }
    if (!th_decode_message_known(name)) {
        return;
    }
    th_decode_opts opts = {TH_DECODE_MESSAGE, name, version, 1};
    json_t *tree = NULL;
    th_decode_error derr;
    memset(&derr, 0, sizeof(derr));
    int ok = th_decode_message(name, msg + TH_HANDSHAKE_HEADER_LEN, len - TH_HANDSHAKE_HEADER_LEN,
                               &opts, &tree, &derr);
    (void)ok;
    if (tree == NULL) {
        return;
    }
    char *buf = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&buf, &size);
    if (f != NULL) {
        th_decode_render_text(tree, f);
        fclose(f);
        size_t lines = 0;
        char *save = NULL;
        for (char *line = strtok_r(buf, "\n", &save); line != NULL;
             line = strtok_r(NULL, "\n", &save)) {
            if (++lines > LOG_MESSAGE_LINES) {
                fprintf(ep->log, "       ...\n");
                break;
            }
            fprintf(ep->log, "       %s\n", line);
        }
    }
    free(buf);
    json_decref(tree);
}

th_sc_msg ep_msg_of_wire(const uint8_t *msg, size_t len) {
    if (len < 1) {
        return TH_SC_MSG_NONE;
    }
    if (msg[0] == TH_HS_SERVER_HELLO) {
        /* RFC 8446 §4.1.3: the HRR is a ServerHello with a special random,
         * after the header (4) and legacy_version (2). */
        if (len >= 6 + TH_RANDOM_LEN && memcmp(msg + 6, th_hrr_random, TH_RANDOM_LEN) == 0) {
            return TH_SC_MSG_HELLO_RETRY_REQUEST;
        }
        return TH_SC_MSG_SERVER_HELLO;
    }
    for (int m = TH_SC_MSG_NONE + 1; m < TH_SC_NUM_MSGS; m++) {
        if (m != TH_SC_MSG_HELLO_RETRY_REQUEST && th_sc_msg_wire_type((th_sc_msg)m) == msg[0]) {
            return (th_sc_msg)m;
        }
    }
    return TH_SC_MSG_NONE;
}
