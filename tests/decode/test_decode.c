/* The decoder (harness/decode/): the tree for the RFC 8448 messages, record
 * splitting and reassembly offsets, opaque encrypted records, error offsets
 * and alerts for bad input, and both renderings. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "decode.h"
#include "testutil.h"

#define VEC "rfc8448-simple-1rtt.txt"

/* Depth-first search for a node with |field| and, when not NULL, |name|. */
static const json_t *find(const json_t *node, const char *field, const char *name) {
    const char *f = json_string_value(json_object_get(node, "field"));
    const char *n = json_string_value(json_object_get(node, "name"));
    if (f != NULL && strcmp(f, field) == 0 && (name == NULL || (n != NULL && !strcmp(n, name)))) {
        return node;
    }
    size_t i;
    const json_t *child;
    json_array_foreach(json_object_get(node, "children"), i, child) {
        const json_t *hit = find(child, field, name);
        if (hit != NULL) {
            return hit;
        }
    }
    return NULL;
}

static json_int_t int_of(const json_t *node, const char *key) {
    assert_non_null(node);
    const json_t *v = json_object_get(node, key);
    assert_true(json_is_integer(v));
    return json_integer_value(v);
}

static size_t count(const json_t *node, const char *field) {
    size_t n = 0, i;
    const json_t *child;
    const char *f = json_string_value(json_object_get(node, "field"));
    if (f != NULL && strcmp(f, field) == 0) {
        n++;
    }
    json_array_foreach(json_object_get(node, "children"), i, child) {
        n += count(child, field);
    }
    return n;
}

/* The whole RFC 8448 1-RTT handshake, messages concatenated in order. */
static uint8_t *rfc8448_flight(size_t *out_len) {
    static const char *const kNames[] = {
        "client_hello",       "server_hello",    "encrypted_extensions", "certificate",
        "certificate_verify", "server_finished", "client_finished",      "new_session_ticket"};
    uint8_t *all = NULL;
    size_t len = 0;
    for (size_t i = 0; i < sizeof(kNames) / sizeof(kNames[0]); i++) {
        size_t n;
        uint8_t *msg = th_test_vector(VEC, kNames[i], &n);
        all = realloc(all, len + n);
        assert_non_null(all);
        memcpy(all + len, msg, n);
        len += n;
        free(msg);
    }
    *out_len = len;
    return all;
}

/* |msg| cut into records of |chunk| bytes each. */
static uint8_t *as_records(const uint8_t *msg, size_t len, size_t chunk, size_t *out_len) {
    size_t num = (len + chunk - 1) / chunk;
    uint8_t *out = malloc(len + 5 * num);
    size_t o = 0;
    assert_non_null(out);
    for (size_t pos = 0; pos < len; pos += chunk) {
        size_t n = len - pos < chunk ? len - pos : chunk;
        out[o++] = 22;
        out[o++] = 3;
        out[o++] = 3;
        out[o++] = (uint8_t)(n >> 8);
        out[o++] = (uint8_t)n;
        memcpy(out + o, msg + pos, n);
        o += n;
    }
    *out_len = o;
    return out;
}

static void test_rfc8448_client_hello_tree(void **state) {
    (void)state;
    size_t len;
    uint8_t *ch = th_test_vector(VEC, "client_hello", &len);
    json_t *tree;
    th_decode_error err;
    assert_true(th_decode_handshake(ch, len, NULL, &tree, &err));
    assert_false(err.set);

    const json_t *msg = find(tree, "handshake", "client_hello");
    assert_int_equal(int_of(msg, "value"), 1);
    assert_int_equal(int_of(msg, "length"), 196);

    const json_t *host = find(msg, "host_name", NULL);
    assert_string_equal(json_string_value(json_object_get(host, "value")), "server");
    assert_int_equal(int_of(host, "offset"), 0x3a);

    const json_t *groups = find(msg, "extension", "supported_groups");
    assert_int_equal(int_of(groups, "value"), 10);
    const json_t *x25519 = find(groups, "named_group", "x25519");
    assert_int_equal(int_of(x25519, "value"), 29);
    assert_int_equal(count(groups, "named_group"), 9);

    const json_t *ks = find(msg, "extension", "key_share");
    const json_t *group = find(ks, "group", "x25519");
    assert_int_equal(int_of(group, "offset"), 0x69);
    const json_t *key = find(ks, "key_exchange", NULL);
    assert_string_equal(json_string_value(json_object_get(key, "hex")),
                        "99381de560e4bd43d23d8e435a7dbafeb3c06e51c13cae4d5413691e529aaf2c");

    const json_t *sv = find(msg, "extension", "supported_versions");
    assert_int_equal(int_of(find(sv, "version", "TLS 1.3"), "value"), 0x0304);

    const json_t *sa = find(msg, "extension", "signature_algorithms");
    assert_int_equal(int_of(find(sa, "signature_scheme", "rsa_pss_rsae_sha256"), "value"), 0x0804);
    assert_int_equal(count(sa, "signature_scheme"), 15);
    /* TLS 1.2 (hash, signature) pairs RFC 8448 offers are named too. */
    assert_int_equal(int_of(find(sa, "signature_scheme", "dsa_sha384"), "value"), 0x0502);

    assert_non_null(find(msg, "cipher_suite", "TLS_AES_128_GCM_SHA256"));
    assert_non_null(find(msg, "ke_mode", "psk_dhe_ke"));
    assert_non_null(find(msg, "compression_method", "null"));

    const json_t *fp = json_object_get(msg, "fingerprints");
    assert_string_equal(json_string_value(json_object_get(fp, "ja4")),
                        "t13d030900_55b375c5d22e_59cd3dafc54d");
    assert_string_equal(json_string_value(json_object_get(fp, "ja3_hash")),
                        "da4dea34fe6d4ce5f0725df3f2682fa0");
    json_decref(tree);
    free(ch);
}

static void test_bare_message_offsets_start_at_body(void **state) {
    (void)state;
    const uint8_t *body;
    size_t len;
    uint8_t *msg = th_test_vector_body(VEC, "client_hello", &body, &len);
    json_t *tree;
    th_decode_error err;
    assert_true(th_decode_message("client_hello", body, len, NULL, &tree, &err));
    assert_string_equal(json_string_value(json_object_get(tree, "field")), "client_hello");
    assert_int_equal(int_of(find(tree, "legacy_version", NULL), "offset"), 0);
    assert_int_equal(int_of(find(tree, "host_name", NULL), "offset"), 0x36);
    json_decref(tree);
    free(msg);
}

static void test_whole_rfc8448_handshake_decodes(void **state) {
    (void)state;
    size_t len;
    uint8_t *all = rfc8448_flight(&len);
    json_t *tree;
    th_decode_error err;
    assert_true(th_decode_handshake(all, len, NULL, &tree, &err));
    assert_int_equal(count(tree, "handshake"), 8);
    assert_non_null(find(tree, "selected_version", "TLS 1.3"));
    /* The ServerHello said TLS 1.3: the Certificate is read in its 1.3 form. */
    const json_t *cert = find(tree, "cert_data", NULL);
    assert_non_null(cert);
    assert_non_null(strstr(json_string_value(json_object_get(cert, "note")), "CN=rsa"));
    assert_int_equal(int_of(find(tree, "max_early_data_size", NULL), "value"), 1024);
    assert_int_equal(count(tree, "verify_data"), 2);
    json_decref(tree);
    free(all);
}

static void test_record_split_message_is_reassembled(void **state) {
    (void)state;
    size_t len, rec_len;
    uint8_t *ch = th_test_vector(VEC, "client_hello", &len);
    uint8_t *recs = as_records(ch, len, 100, &rec_len);
    json_t *tree;
    th_decode_error err;
    assert_true(th_decode_records(recs, rec_len, NULL, &tree, &err));
    assert_int_equal(count(tree, "record"), 2);
    const json_t *msg = find(tree, "handshake", "client_hello");
    assert_int_equal(int_of(msg, "offset"), 5);
    const json_t *frags = json_object_get(msg, "fragments");
    assert_int_equal(json_array_size(frags), 2);
    assert_int_equal(int_of(json_array_get(frags, 0), "offset"), 5);
    assert_int_equal(int_of(json_array_get(frags, 0), "length"), 100);
    assert_int_equal(int_of(json_array_get(frags, 1), "offset"), 110);
    assert_int_equal(int_of(json_array_get(frags, 1), "length"), 96);
    /* The x25519 key starts at message byte 0x6b: in the second record,
     * after its 5-byte header (0x6b - 100 + 110 = 0x75). */
    assert_int_equal(int_of(find(msg, "key_exchange", NULL), "offset"), 0x75);
    /* The key_share group (message byte 0x63..) sits at the end of record 1. */
    assert_int_equal(int_of(find(msg, "extension", "key_share"), "offset"), 5 + 0x63);
    json_decref(tree);
    free(recs);
    free(ch);
}

static void test_every_record_size_gives_the_same_messages(void **state) {
    (void)state;
    size_t len;
    uint8_t *all = rfc8448_flight(&len);
    for (size_t chunk = 1; chunk <= len; chunk += chunk < 16 ? 1 : 37) {
        size_t rec_len;
        uint8_t *recs = as_records(all, len, chunk, &rec_len);
        json_t *tree;
        th_decode_error err;
        assert_true(th_decode_records(recs, rec_len, NULL, &tree, &err));
        assert_int_equal(count(tree, "handshake"), 8);
        const json_t *fp = json_object_get(find(tree, "handshake", "client_hello"), "fingerprints");
        assert_string_equal(json_string_value(json_object_get(fp, "ja4")),
                            "t13d030900_55b375c5d22e_59cd3dafc54d");
        json_decref(tree);
        free(recs);
    }
    free(all);
}

static void test_encrypted_records_are_opaque(void **state) {
    (void)state;
    size_t len;
    /* application_data, then a CCS and a handshake-typed record after it
     * (a TLS 1.2 Finished): both records' bodies are ciphertext. */
    uint8_t *in = th_test_hex("1703030004 01020304  140303000101  1603030006 140000020102", &len);
    json_t *tree;
    th_decode_error err;
    assert_true(th_decode_records(in, len, NULL, &tree, &err));
    assert_int_equal(count(tree, "encrypted_record"), 2);
    assert_int_equal(count(tree, "handshake"), 0);
    const json_t *first = find(tree, "encrypted_record", NULL);
    assert_string_equal(json_string_value(json_object_get(first, "hex")), "01020304");
    assert_int_equal(int_of(first, "offset"), 5);
    assert_non_null(find(tree, "change_cipher_spec", NULL));
    json_decref(tree);
    free(in);
}

/* Appends a record of |type| holding |frag| to *buf. */
static void add_record(uint8_t **buf, size_t *len, uint8_t type, const uint8_t *frag,
                       size_t frag_len) {
    uint8_t *grown = realloc(*buf, *len + 5 + frag_len);
    assert_non_null(grown);
    grown[*len] = type;
    grown[*len + 1] = 3;
    grown[*len + 2] = 3;
    grown[*len + 3] = (uint8_t)(frag_len >> 8);
    grown[*len + 4] = (uint8_t)frag_len;
    memcpy(grown + *len + 5, frag, frag_len);
    *buf = grown;
    *len += 5 + frag_len;
}

static void add_record_hex(uint8_t **buf, size_t *len, uint8_t type, const char *hex) {
    size_t n;
    uint8_t *frag = th_test_hex(hex, &n);
    add_record(buf, len, type, frag, n);
    free(frag);
}

/* 1 if |node| or a node below it has |key|. */
static int has_key(const json_t *node, const char *key) {
    size_t i;
    const json_t *child;
    if (json_object_get(node, key) != NULL) {
        return 1;
    }
    json_array_foreach(json_object_get(node, "children"), i, child) {
        if (has_key(child, key)) {
            return 1;
        }
    }
    return 0;
}

static size_t count_fingerprints(const json_t *node) {
    size_t n = json_object_get(node, "fingerprints") != NULL, i;
    const json_t *child;
    json_array_foreach(json_object_get(node, "children"), i, child) {
        n += count_fingerprints(child);
    }
    return n;
}

/* A HelloRetryRequest (secp256r1) with its 4-byte header. */
#define HRR_HEX                                                                                    \
    "020000 34 0303 cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c"              \
    "00 1301 00 000c 002b 0002 0304 0033 0002 0017"

static void test_ccs_before_second_client_hello_is_plaintext(void **state) {
    (void)state;
    /* RFC 8446 §D.4: in middlebox compatibility mode the client sends its
     * CCS before the second ClientHello, which is still plaintext. */
    size_t ch_len, len = 0;
    uint8_t *ch = th_test_vector(VEC, "client_hello", &ch_len);
    uint8_t *in = NULL;
    add_record(&in, &len, 22, ch, ch_len);
    add_record_hex(&in, &len, 20, "01");
    add_record(&in, &len, 22, ch, ch_len);
    json_t *tree;
    th_decode_error err;
    assert_true(th_decode_records(in, len, NULL, &tree, &err));
    assert_int_equal(count(tree, "handshake"), 2);
    assert_int_equal(count(tree, "encrypted_record"), 0);
    assert_int_equal(count_fingerprints(tree), 2);
    json_decref(tree);

    /* So is an alert after it: TLS 1.3 protects records as application_data. */
    add_record_hex(&in, &len, 21, "022f");
    assert_true(th_decode_records(in, len, NULL, &tree, &err));
    assert_non_null(find(tree, "description", "illegal_parameter"));
    assert_int_equal(count(tree, "encrypted_record"), 0);
    json_decref(tree);
    free(in);
    free(ch);
}

static void test_ccs_after_hello_retry_request_keeps_server_hello_plaintext(void **state) {
    (void)state;
    /* RFC 8446 §D.4: a server's CCS may follow its HelloRetryRequest; the
     * ServerHello after it is plaintext. */
    size_t sh_len, len = 0;
    uint8_t *sh = th_test_vector(VEC, "server_hello", &sh_len);
    uint8_t *in = NULL;
    add_record_hex(&in, &len, 22, HRR_HEX);
    add_record_hex(&in, &len, 20, "01");
    add_record(&in, &len, 22, sh, sh_len);
    add_record_hex(&in, &len, 23, "0102030405");
    json_t *tree;
    th_decode_error err;
    assert_true(th_decode_records(in, len, NULL, &tree, &err));
    assert_int_equal(count(tree, "handshake"), 2);
    assert_non_null(find(tree, "key_exchange", NULL));
    assert_int_equal(count(tree, "encrypted_record"), 1);
    json_decref(tree);
    free(in);
    free(sh);
}

static void test_tls12_ccs_makes_handshake_and_alert_records_opaque(void **state) {
    (void)state;
    /* A TLS 1.2 ServerHello, the CCS, then an encrypted Finished whose first
     * bytes happen to look like a ClientHello header, and an encrypted alert
     * of 2 bytes: the version alone says they are ciphertext. */
    size_t len = 0;
    uint8_t *in = NULL;
    add_record_hex(&in, &len, 22,
                   "020000 26 0303 0101010101010101010101010101010101010101010101010101010101010101"
                   "00 c02f 00");
    add_record_hex(&in, &len, 20, "01");
    add_record_hex(&in, &len, 22, "010000240303 a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8");
    add_record_hex(&in, &len, 21, "0228");
    json_t *tree;
    th_decode_error err;
    assert_true(th_decode_records(in, len, NULL, &tree, &err));
    assert_int_equal(count(tree, "handshake"), 1);
    assert_int_equal(count(tree, "encrypted_record"), 2);
    assert_null(find(tree, "description", NULL));
    const json_t *enc = find(tree, "encrypted_record", NULL);
    assert_non_null(strstr(json_string_value(json_object_get(enc, "note")), "TLS 1.2"));
    json_decref(tree);
    free(in);
}

static void test_alert_record_is_named(void **state) {
    (void)state;
    size_t len;
    uint8_t *in = th_test_hex("15030300020228", &len);
    json_t *tree;
    th_decode_error err;
    assert_true(th_decode_records(in, len, NULL, &tree, &err));
    assert_int_equal(int_of(find(tree, "level", "fatal"), "value"), 2);
    assert_int_equal(int_of(find(tree, "description", "handshake_failure"), "value"), 40);
    assert_non_null(find(tree, "content_type", "alert"));
    json_decref(tree);
    free(in);
}

static void test_truncated_message_reports_offset(void **state) {
    (void)state;
    size_t len;
    uint8_t *ch = th_test_vector(VEC, "client_hello", &len);
    json_t *tree;
    th_decode_error err;
    /* Cut inside the extensions: their length (at 0x31) runs past the end. */
    assert_false(th_decode_handshake(ch, 100, NULL, &tree, &err));
    assert_true(err.set);
    assert_int_equal(err.offset, 0x31);
    assert_int_equal(err.alert, TH_ALERT_DECODE_ERROR);
    assert_non_null(strstr(err.where, "client_hello"));
    assert_non_null(strstr(err.where, "extensions"));
    assert_non_null(strstr(err.reason, "truncated"));
    /* The tree holds what was decoded and the error. */
    assert_non_null(find(tree, "cipher_suites", NULL));
    assert_int_equal(int_of(json_object_get(tree, "error"), "offset"), 0x31);
    char line[512];
    th_decode_error_format(&err, line, sizeof(line));
    assert_non_null(strstr(line, "offset 0x0031 (49): client_hello"));
    assert_non_null(strstr(line, ": decode_error"));
    json_decref(tree);

    /* Every cut fails cleanly, at an offset inside the input. */
    for (size_t cut = 0; cut < len; cut++) {
        assert_false(th_decode_handshake(ch, cut, NULL, &tree, &err));
        assert_true(err.offset <= cut);
        json_decref(tree);
    }
    free(ch);
}

static void test_truncated_records_report_offset(void **state) {
    (void)state;
    size_t len;
    uint8_t *in = th_test_hex("16030100", &len);
    json_t *tree;
    th_decode_error err;
    assert_false(th_decode_records(in, len, NULL, &tree, &err));
    assert_int_equal(err.offset, 0);
    assert_non_null(strstr(err.where, "record 1"));
    json_decref(tree);
    free(in);

    /* The second record announces 16 bytes and holds 2. */
    in = th_test_hex("15030300020228 1603030010 0100", &len);
    assert_false(th_decode_records(in, len, NULL, &tree, &err));
    assert_int_equal(err.offset, 7 + 3);
    assert_int_equal(err.alert, TH_ALERT_DECODE_ERROR);
    assert_non_null(strstr(err.where, "record 2"));
    json_decref(tree);
    free(in);

    /* Over 2^14+2048: record_overflow, at the length field. */
    in = th_test_hex("1703034801", &len);
    assert_false(th_decode_records(in, len, NULL, &tree, &err));
    assert_int_equal(err.offset, 3);
    assert_int_equal(err.alert, TH_ALERT_RECORD_OVERFLOW);
    json_decref(tree);
    free(in);
}

static void test_bad_key_share_names_the_extension(void **state) {
    (void)state;
    size_t len;
    uint8_t *ch = th_test_vector(VEC, "client_hello", &len);
    /* client_shares (at 0x67) says 37 bytes where the extension has 36. */
    uint8_t *bad = th_test_patch(ch, len, 0x67, "0025");
    json_t *tree;
    th_decode_error err;
    assert_false(th_decode_handshake(bad, len, NULL, &tree, &err));
    assert_int_equal(err.offset, 0x67);
    assert_int_equal(err.alert, TH_ALERT_DECODE_ERROR);
    assert_non_null(strstr(err.where, "client_hello, extension key_share (51)"));
    json_decref(tree);
    free(bad);

    /* A compression list without null is illegal_parameter, reported at the
     * list. */
    bad = th_test_patch(ch, len, 0x30, "01");
    assert_false(th_decode_handshake(bad, len, NULL, &tree, &err));
    assert_int_equal(err.alert, TH_ALERT_ILLEGAL_PARAMETER);
    assert_int_equal(err.offset, 0x2f);
    json_decref(tree);
    free(bad);
    free(ch);
}

static void test_duplicate_extension_is_reported_at_the_second(void **state) {
    (void)state;
    size_t len;
    /* A ClientHello with extended_master_secret twice. */
    uint8_t *ch =
        th_test_hex("0303 0000000000000000000000000000000000000000000000000000000000000000"
                    "00 0002 1301 0100 0008 00170000 00170000",
                    &len);
    json_t *tree;
    th_decode_error err;
    assert_false(th_decode_message("client_hello", ch, len, NULL, &tree, &err));
    assert_int_equal(err.offset, len - 4);
    assert_int_equal(err.alert, TH_ALERT_DECODE_ERROR); /* the codec's choice in hellos */
    assert_non_null(strstr(err.where, "extension extended_master_secret (23)"));
    assert_non_null(strstr(err.reason, "duplicate"));
    json_decref(tree);
    free(ch);
}

static void test_block_refusal_is_reported_at_the_codecs_extension(void **state) {
    (void)state;
    size_t len;
    /* An odd supported_groups body first, then extended_master_secret twice.
     * The codec checks the block rules before any body, so it refuses the
     * duplicate (decode_error in a ClientHello): the error is there, not at
     * the malformed body the walk met first. */
    uint8_t *ch =
        th_test_hex("0303 0000000000000000000000000000000000000000000000000000000000000000"
                    "00 0002 1301 0100 000f 000a 0003 0001 1d 00170000 00170000",
                    &len);
    json_t *tree;
    th_decode_error err;
    assert_false(th_decode_message("client_hello", ch, len, NULL, &tree, &err));
    assert_int_equal(err.offset, len - 4);
    assert_int_equal(err.alert, TH_ALERT_DECODE_ERROR);
    assert_non_null(strstr(err.where, "extension extended_master_secret (23)"));
    assert_non_null(strstr(err.reason, "duplicate"));
    /* The malformed body is still shown, as a warning. */
    assert_true(has_key(find(tree, "extension", "supported_groups"), "warning"));
    json_decref(tree);
    free(ch);

    /* pre_shared_key not last, after a malformed body: illegal_parameter at
     * pre_shared_key. */
    ch = th_test_hex("0303 0000000000000000000000000000000000000000000000000000000000000000"
                     "00 0002 1301 0100 000f 000a 0003 0001 1d 00290000 00170000",
                     &len);
    assert_false(th_decode_message("client_hello", ch, len, NULL, &tree, &err));
    assert_int_equal(err.offset, len - 8);
    assert_int_equal(err.alert, TH_ALERT_ILLEGAL_PARAMETER);
    assert_non_null(strstr(err.where, "extension pre_shared_key (41)"));
    assert_non_null(strstr(err.reason, "last"));
    json_decref(tree);
    free(ch);

    /* In EncryptedExtensions a duplicate is decode_error (the codec's
     * choice there), at the second supported_groups. */
    uint8_t *ee = th_test_hex("0010 000a 0004 0002 001d 000a 0004 0002 001d", &len);
    assert_false(th_decode_message("encrypted_extensions", ee, len, NULL, &tree, &err));
    assert_int_equal(err.offset, 10);
    assert_int_equal(err.alert, TH_ALERT_DECODE_ERROR);
    assert_non_null(strstr(err.where, "extension supported_groups (10)"));
    assert_non_null(strstr(err.reason, "duplicate"));
    json_decref(tree);
    free(ee);

    /* A duplicate in a HelloRetryRequest is illegal_parameter (the codec's
     * choice there), at the second key_share. */
    uint8_t *hrr = th_test_hex(HRR_HEX, &len);
    uint8_t *dup = malloc(len + 6);
    assert_non_null(dup);
    memcpy(dup, hrr, len);
    memcpy(dup + len, "\x00\x33\x00\x02\x00\x17", 6);
    dup[3] += 6;                          /* handshake length */
    dup[4 + 2 + 32 + 1 + 2 + 1 + 1] += 6; /* extensions length (its low byte) */
    assert_false(th_decode_handshake(dup, len + 6, NULL, &tree, &err));
    assert_int_equal(err.offset, len);
    assert_int_equal(err.alert, TH_ALERT_ILLEGAL_PARAMETER);
    assert_non_null(strstr(err.where, "extension key_share (51)"));
    assert_non_null(strstr(err.reason, "duplicate"));
    json_decref(tree);
    free(dup);
    free(hrr);
}

static void test_walker_warning_does_not_hide_a_later_error(void **state) {
    (void)state;
    size_t len;
    /* compress_certificate with a 1-byte algorithm list: the walker finds it
     * odd, the codec (no body form for it) accepts it. The body then has a
     * trailing byte after the extensions, which the codec refuses: the error
     * is the trailing byte. */
    uint8_t *ch =
        th_test_hex("0303 0000000000000000000000000000000000000000000000000000000000000000"
                    "00 0002 1301 0100 0006 001b 0002 01 02 ff",
                    &len);
    json_t *tree;
    th_decode_error err;
    assert_false(th_decode_message("client_hello", ch, len, NULL, &tree, &err));
    assert_int_equal(err.alert, TH_ALERT_DECODE_ERROR);
    assert_int_equal(err.offset, len - 1);
    assert_null(strstr(err.where, "compress_certificate"));
    json_decref(tree);
    free(ch);
}

static void test_refused_client_hello_has_a_note_instead_of_fingerprints(void **state) {
    (void)state;
    size_t len;
    /* An empty signature_algorithms list: the codec refuses the hello, so
     * there are no fingerprints to show. */
    uint8_t *ch =
        th_test_hex("0303 0000000000000000000000000000000000000000000000000000000000000000"
                    "00 0002 1301 0100 0006 000d 0002 0000",
                    &len);
    json_t *tree;
    th_decode_error err;
    assert_false(th_decode_message("client_hello", ch, len, NULL, &tree, &err));
    assert_int_equal(err.alert, TH_ALERT_DECODE_ERROR);
    assert_null(json_object_get(tree, "fingerprints"));
    const char *note = json_string_value(json_object_get(tree, "note"));
    assert_non_null(note);
    assert_non_null(strstr(note, "no fingerprints"));
    json_decref(tree);
    free(ch);
}

static void test_extension_refused_by_its_parser_is_named(void **state) {
    (void)state;
    size_t len;
    /* Two key shares for x25519: well-formed, but the key_share parser
     * refuses it (RFC 8446 §4.2.8, illegal_parameter). The error points at
     * the extension. */
    uint8_t *ch =
        th_test_hex("0303 0000000000000000000000000000000000000000000000000000000000000000"
                    "00 0002 1301 0100 0012 0033 000e 000c 001d 0002 aabb 001d 0002 ccdd",
                    &len);
    json_t *tree;
    th_decode_error err;
    assert_false(th_decode_message("client_hello", ch, len, NULL, &tree, &err));
    assert_int_equal(err.offset, 0x2b);
    assert_int_equal(err.alert, TH_ALERT_ILLEGAL_PARAMETER);
    assert_string_equal(err.where, "client_hello, extension key_share (51)");
    const json_t *ext = find(tree, "extension", "key_share");
    assert_non_null(json_object_get(ext, "error"));
    json_decref(tree);
    free(ch);
}

static void test_unknown_and_grease_extensions_are_raw(void **state) {
    (void)state;
    size_t len;
    uint8_t *ch =
        th_test_hex("0303 0000000000000000000000000000000000000000000000000000000000000000"
                    "00 0002 1301 0100 000a 1234 0002 abcd 0a0a 0000",
                    &len);
    json_t *tree;
    th_decode_error err;
    assert_true(th_decode_message("client_hello", ch, len, NULL, &tree, &err));
    const json_t *exts = find(tree, "extensions", NULL);
    const json_t *unknown = json_array_get(json_object_get(exts, "children"), 0);
    assert_int_equal(int_of(unknown, "value"), 0x1234);
    assert_true(json_is_null(json_object_get(unknown, "name")));
    assert_string_equal(json_string_value(json_object_get(find(unknown, "data", NULL), "hex")),
                        "abcd");
    assert_non_null(find(exts, "extension", "GREASE"));
    json_decref(tree);
    free(ch);
}

static void test_hello_retry_request_is_noted(void **state) {
    (void)state;
    size_t len;
    uint8_t *sh = th_test_hex("020000 34 0303"
                              "cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c"
                              "00 1301 00 000c 002b 0002 0304 0033 0002 0017",
                              &len);
    json_t *tree;
    th_decode_error err;
    assert_true(th_decode_handshake(sh, len, NULL, &tree, &err));
    const json_t *msg = find(tree, "handshake", "server_hello");
    assert_non_null(strstr(json_string_value(json_object_get(msg, "note")), "hello_retry_request"));
    assert_non_null(find(msg, "selected_group", "secp256r1"));
    json_decref(tree);
    free(sh);
}

static void test_tls12_flight_picks_tls12_forms(void **state) {
    (void)state;
    size_t len;
    /* ServerHello (TLS 1.2, ECDHE_RSA, no extensions), Certificate,
     * ServerKeyExchange (secp256r1), ServerHelloDone, ClientKeyExchange. */
    uint8_t *in = th_test_hex("020000 26 0303"
                              "0101010101010101010101010101010101010101010101010101010101010101"
                              "00 c02f 00"
                              "0b000008 000005 000002 abcd"
                              "0c00000b 03 0017 01 04 0401 0002 aabb"
                              "0e000000"
                              "10000002 0104",
                              &len);
    json_t *tree;
    th_decode_error err;
    assert_true(th_decode_handshake(in, len, NULL, &tree, &err));
    const json_t *cert = find(tree, "handshake", "certificate");
    assert_non_null(strstr(json_string_value(json_object_get(cert, "note")), "certificate_tls12"));
    assert_non_null(find(cert, "asn1_cert", NULL));
    const json_t *ske = find(tree, "handshake", "server_key_exchange");
    assert_non_null(find(ske, "named_curve", "secp256r1"));
    assert_non_null(find(ske, "algorithm", "rsa_pkcs1_sha256"));
    assert_non_null(find(tree, "ecdh_Yc", NULL));
    assert_non_null(find(tree, "handshake", "server_hello_done"));
    json_decref(tree);
    free(in);
}

static void test_interleaved_record_is_unexpected_message(void **state) {
    (void)state;
    size_t len;
    uint8_t *in = th_test_hex("1603030002 0100 15030300020228", &len);
    json_t *tree;
    th_decode_error err;
    assert_false(th_decode_records(in, len, NULL, &tree, &err));
    assert_int_equal(err.alert, TH_ALERT_UNEXPECTED_MESSAGE);
    assert_int_equal(err.offset, 7);
    json_decref(tree);
    free(in);
}

static void test_bad_inputs_fail(void **state) {
    (void)state;
    json_t *tree;
    th_decode_error err;
    uint8_t byte = 0;
    assert_false(th_decode_records(&byte, 0, NULL, &tree, &err));
    assert_non_null(strstr(err.reason, "empty"));
    json_decref(tree);
    assert_false(th_decode_message("no_such_message", &byte, 1, NULL, &tree, &err));
    json_decref(tree);
    assert_true(th_decode_message_known("certificate_tls12"));
    assert_true(th_decode_message_known("server_key_exchange"));
    assert_false(th_decode_message_known("bogus"));
}

static char *render(const json_t *tree, int json) {
    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);
    assert_non_null(f);
    if (json) {
        assert_true(th_decode_render_json(tree, f));
    } else {
        th_decode_render_text(tree, f);
    }
    assert_int_equal(fclose(f), 0);
    return text;
}

static void test_renderings(void **state) {
    (void)state;
    size_t len;
    uint8_t *all = rfc8448_flight(&len);
    json_t *tree;
    th_decode_error err;
    assert_true(th_decode_handshake(all, len, NULL, &tree, &err));

    char *text = render(tree, 0);
    assert_non_null(strstr(text, "host_name: \"server\""));
    assert_non_null(strstr(text, "named_group: x25519 (0x001d)"));
    assert_non_null(strstr(text, "version: TLS 1.3 (0x0304)"));
    assert_non_null(strstr(text, "signature_scheme: rsa_pss_rsae_sha256 (0x0804)"));
    assert_non_null(strstr(text, "extension: key_share (51)"));
    assert_non_null(strstr(text, "ja4: t13d030900_55b375c5d22e_59cd3dafc54d"));
    assert_non_null(strstr(text, "handshake: new_session_ticket (4)"));
    free(text);

    /* The JSON parses back to the same tree. */
    char *json = render(tree, 1);
    json_error_t jerr;
    json_t *back = json_loads(json, 0, &jerr);
    assert_non_null(back);
    assert_true(json_equal(back, tree));
    json_decref(back);
    free(json);
    json_decref(tree);
    free(all);
}

static void test_unknown_code_points_are_numbers_with_null_name(void **state) {
    (void)state;
    /* EncryptedExtensions with supported_groups {x25519, 0x1234}. */
    static const uint8_t ee[] = {0x00, 0x0a, 0x00, 0x0a, 0x00, 0x06,
                                 0x00, 0x04, 0x00, 0x1d, 0x12, 0x34};
    json_t *tree = NULL;
    th_decode_error err;
    memset(&err, 0, sizeof(err));
    assert_true(th_decode_message("encrypted_extensions", ee, sizeof(ee), NULL, &tree, &err));
    const json_t *known = find(tree, "named_group", "x25519");
    assert_int_equal(int_of(known, "value"), 0x1d);
    const json_t *groups = find(tree, "named_group_list", NULL);
    size_t i;
    const json_t *g;
    int seen = 0;
    json_array_foreach(json_object_get(groups, "children"), i, g) {
        if (int_of(g, "value") == 0x1234) {
            assert_true(json_is_null(json_object_get(g, "name")));
            seen = 1;
        }
    }
    assert_true(seen);
    json_decref(tree);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unknown_code_points_are_numbers_with_null_name),
        cmocka_unit_test(test_rfc8448_client_hello_tree),
        cmocka_unit_test(test_bare_message_offsets_start_at_body),
        cmocka_unit_test(test_whole_rfc8448_handshake_decodes),
        cmocka_unit_test(test_record_split_message_is_reassembled),
        cmocka_unit_test(test_every_record_size_gives_the_same_messages),
        cmocka_unit_test(test_encrypted_records_are_opaque),
        cmocka_unit_test(test_ccs_before_second_client_hello_is_plaintext),
        cmocka_unit_test(test_ccs_after_hello_retry_request_keeps_server_hello_plaintext),
        cmocka_unit_test(test_tls12_ccs_makes_handshake_and_alert_records_opaque),
        cmocka_unit_test(test_alert_record_is_named),
        cmocka_unit_test(test_truncated_message_reports_offset),
        cmocka_unit_test(test_truncated_records_report_offset),
        cmocka_unit_test(test_bad_key_share_names_the_extension),
        cmocka_unit_test(test_duplicate_extension_is_reported_at_the_second),
        cmocka_unit_test(test_block_refusal_is_reported_at_the_codecs_extension),
        cmocka_unit_test(test_walker_warning_does_not_hide_a_later_error),
        cmocka_unit_test(test_refused_client_hello_has_a_note_instead_of_fingerprints),
        cmocka_unit_test(test_extension_refused_by_its_parser_is_named),
        cmocka_unit_test(test_unknown_and_grease_extensions_are_raw),
        cmocka_unit_test(test_hello_retry_request_is_noted),
        cmocka_unit_test(test_tls12_flight_picks_tls12_forms),
        cmocka_unit_test(test_interleaved_record_is_unexpected_message),
        cmocka_unit_test(test_bad_inputs_fail),
        cmocka_unit_test(test_renderings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
