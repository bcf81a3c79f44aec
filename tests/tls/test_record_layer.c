#include <stdlib.h>
#include <string.h>

#include <openssl/aead.h>
#include <openssl/mem.h>

#include "keys13.h"
#include "record.h"
#include "record_layer.h"
#include "testutil.h"

static const char kSimple[] = "rfc8448-simple-1rtt.txt";
static const uint8_t kX[] = "x";
#define APP TH_CT_APPLICATION_DATA
static const uint16_t kSuites[] = {TH_TLS_AES_128_GCM_SHA256, TH_TLS_AES_256_GCM_SHA384,
                                   TH_TLS_CHACHA20_POLY1305_SHA256};
#define NUM_SUITES (sizeof(kSuites) / sizeof(kSuites[0]))

/* RFC 8448 §3 (Simple 1-RTT Handshake), the protected records as published:
 * "{server} send handshake record" (EE..Finished, server_handshake key, seq
 * 0), "{client} send handshake record" (Finished), and the two
 * "application_data" records (client seq 0; server seq 1, after its
 * NewSessionTicket). */
static const char kServerFlightRecord[] =
    "17030302a2d1ff334a56f5bff6594a07cc87b580233f500f45e489e7f33af35edf7869fcf40aa40aa2b8ea73"
    "f848a7ca07612ef9f945cb960b4068905123ea78b111b429ba9191cd05d2a389280f526134aadc7fc78c4b72"
    "9df828b5ecf7b13bd9aefb0e57f271585b8ea9bb355c7c79020716cfb9b1183ef3ab20e37d57a6b9d7477609"
    "aee6e122a4cf51427325250c7d0e509289444c9b3a648f1d71035d2ed65b0e3cdd0cbae8bf2d0b227812cbb3"
    "60987255cc744110c453baa4fcd610928d809810e4b7ed1a8fd991f06aa6248204797e36a6a73b70a2559c09"
    "ead686945ba246ab66e5edd8044b4c6de3fcf2a89441ac66272fd8fb330ef8190579b3684596c960bd596eea"
    "520a56a8d650f563aad27409960dca63d3e688611ea5e22f4415cf9538d51a200c27034272968a264ed6540c"
    "84838d89f72c24461aad6d26f59ecaba9acbbb317b66d902f4f292a36ac1b639c637ce343117b65962224531"
    "7b49eeda0c6258f100d7d961ffb138647e92ea330faeea6dfa31c7a84dc3bd7e1b7a6c7178af36879018e3f2"
    "52107f243d243dc7339d5684c8b0378bf30244da8c87c843f5e56eb4c5e8280a2b48052cf93b16499a66db7c"
    "ca71e4599426f7d461e66f99882bd89fc50800becca62d6c74116dbd2972fda1fa80f85df881edbe5a376689"
    "36b335583b599186dc5c6918a396fa48a181d6b6fa4f9d62d513afbb992f2b992f67f8afe67f76913fa388cb"
    "5630c8ca01e0c65d11c66a1e2ac4c85977b7c7a6999bbf10dc35ae69f5515614636c0b9b68c19ed2e31c0b3b"
    "66763038ebba42f3b38edc0399f3a9f23faa63978c317fc9fa66a73f60f0504de93b5b845e275592c12335ee"
    "340bbc4fddd502784016e4b3be7ef04dda49f4b440a30cb5d2af939828fd4ae3794e44f94df5a631ede42c17"
    "19bfdabf0253fe5175be898e750edc53370d2b";

static const char kClientFinishedRecord[] =
    "170303003575ec4dc238cce60b298044a71e219c56cc77b0517fe9b93c7a4bfc44d87f38f80338ac98fc46de"
    "b384bd1caeacab6867d726c40546";

static const char kClientAppRecord[] =
    "1703030043a23f7054b62c94d0affafe8228ba55cbefacea42f914aa66bcab3f2b9819a8a5b46b395bd54a9a"
    "20441e2b62974e1f5a6292a2977014bd1e3deae63aeebb21694915e4";

static const char kServerAppRecord[] =
    "17030300432e937e11ef4ac740e538ad36005fc4a46932fc3225d05f82aa1b36e30efaf97d90e6dffc602dcb"
    "501a59a8fcc49c4bf2e5f0a21c0047c2abf332540dd032e167c2955d";

static void load_secret(const char *name, th_secret *out) {
    size_t len;
    uint8_t *v = th_test_vector(kSimple, name, &len);
    assert_true(th_secret_set(out, v, len));
    free(v);
}

/* A Hash.length secret for |suite| made of |seed|, |seed|+1, ... */
static void make_secret(uint16_t suite, uint8_t seed, th_secret *out) {
    out->len = EVP_MD_size(th_suite_hash(suite));
    for (size_t i = 0; i < out->len; i++) {
        out->bytes[i] = (uint8_t)(seed + i);
    }
}

static void keyed(th_rl_dir *dir, uint16_t suite, const th_secret *secret) {
    memset(dir, 0, sizeof(*dir));
    assert_true(th_rl_dir_set_key(dir, suite, secret));
}

/* A writer and a reader keyed alike with make_secret(|suite|, |seed|). */
static void pair(uint16_t suite, uint8_t seed, th_secret *secret, th_rl_dir *w, th_rl_dir *r) {
    make_secret(suite, seed, secret);
    keyed(w, suite, secret);
    keyed(r, suite, secret);
}

static void cleanup_pair(th_rl_dir *w, th_rl_dir *r) {
    th_rl_dir_cleanup(w);
    th_rl_dir_cleanup(r);
}

/* One th_rl_seal into a fresh buffer; NULL when it refuses. */
static uint8_t *seal(th_rl_dir *dir, uint8_t type, const uint8_t *content, size_t len,
                     const th_rl_padding *pad, size_t *out_len) {
    CBB cbb;
    uint8_t *wire;
    assert_true(CBB_init(&cbb, 64));
    if (!th_rl_seal(dir, &cbb, type, content, len, pad)) {
        CBB_cleanup(&cbb);
        return NULL;
    }
    /* A malloc copy, so callers free it like the other test buffers. */
    wire = malloc(CBB_len(&cbb));
    assert_non_null(wire);
    *out_len = CBB_len(&cbb);
    memcpy(wire, CBB_data(&cbb), *out_len);
    CBB_cleanup(&cbb);
    return wire;
}

/* th_parse_record then th_rl_open into |buf| (TH_MAX_CIPHERTEXT_13 bytes). */
static int open_wire(th_rl_dir *dir, const uint8_t *wire, size_t len, uint8_t *buf,
                     th_inner_plaintext *inner, uint8_t *alert) {
    CBS cbs;
    th_record rec;
    CBS_init(&cbs, wire, len);
    if (!th_parse_record(&cbs, &rec, alert)) {
        return 0;
    }
    return th_rl_open(dir, &rec, buf, TH_MAX_CIPHERTEXT_13, inner, alert);
}

static void expect_open_fails(th_rl_dir *dir, const uint8_t *wire, size_t len, uint8_t want) {
    uint8_t buf[TH_MAX_CIPHERTEXT_13], alert = 0;
    th_inner_plaintext inner;
    assert_false(open_wire(dir, wire, len, buf, &inner, &alert));
    assert_int_equal(alert, want);
}

/* Seals on |w| and opens on |r|, asserting both work and |r| gets |type| and
 * |content| back. Returns the TLSInnerPlaintext length the record carried. */
static size_t transfer(th_rl_dir *w, th_rl_dir *r, uint8_t type, const uint8_t *content, size_t len,
                       const th_rl_padding *pad) {
    uint8_t buf[TH_MAX_CIPHERTEXT_13], alert;
    th_inner_plaintext inner;
    size_t wire_len;
    uint8_t *wire = seal(w, type, content, len, pad, &wire_len);
    assert_non_null(wire);
    assert_true(open_wire(r, wire, wire_len, buf, &inner, &alert));
    assert_int_equal(inner.type, type);
    assert_int_equal(inner.content.len, len);
    assert_true(len == 0 || memcmp(inner.content.data, content, len) == 0);
    assert_int_equal(wire_len, TH_RECORD_HEADER_LEN + len + 1 + inner.padding_len + 16);
    free(wire);
    return len + 1 + inner.padding_len;
}

/* Seals on |w|; |r| refuses the record with |want|. */
static void transfer_fails(th_rl_dir *w, th_rl_dir *r, uint8_t type, const uint8_t *content,
                           size_t len, const th_rl_padding *pad, uint8_t want) {
    size_t wire_len;
    uint8_t *wire = seal(w, type, content, len, pad, &wire_len);
    assert_non_null(wire);
    expect_open_fails(r, wire, wire_len, want);
    free(wire);
}

/* Seals a whole TLSInnerPlaintext |inner| (unchecked) under |secret| at |seq|
 * straight through BoringSSL: the reference for the nonce and AAD, and the
 * way to build records th_rl_seal refuses to make. */
static uint8_t *raw_seal(uint16_t suite, const th_secret *secret, uint64_t seq,
                         const uint8_t *inner, size_t inner_len, size_t *out_len) {
    const EVP_AEAD *aead = th_suite_aead(suite);
    th_secret key, iv;
    EVP_AEAD_CTX ctx;
    uint8_t nonce[12];
    size_t ct_len = inner_len + 16, written;
    uint8_t *wire = malloc(TH_RECORD_HEADER_LEN + ct_len);
    assert_non_null(wire);
    assert_true(th_tls13_traffic_key_iv(&key, &iv, th_suite_hash(suite), aead, secret));
    assert_int_equal(iv.len, sizeof(nonce));
    memcpy(nonce, iv.bytes, sizeof(nonce));
    for (int i = 0; i < 8; i++) {
        nonce[4 + i] ^= (uint8_t)(seq >> (56 - 8 * i));
    }
    const uint8_t header[TH_RECORD_HEADER_LEN] = {0x17, 0x03, 0x03, (uint8_t)(ct_len >> 8),
                                                  (uint8_t)ct_len};
    memcpy(wire, header, sizeof(header));
    assert_true(
        EVP_AEAD_CTX_init(&ctx, aead, key.bytes, key.len, EVP_AEAD_DEFAULT_TAG_LENGTH, NULL));
    assert_true(EVP_AEAD_CTX_seal(&ctx, wire + TH_RECORD_HEADER_LEN, &written, ct_len, nonce,
                                  sizeof(nonce), inner, inner_len, header, sizeof(header)));
    EVP_AEAD_CTX_cleanup(&ctx);
    *out_len = TH_RECORD_HEADER_LEN + written;
    return wire;
}

/* Seals |content| under the vector secret |secret_name| at |seq|, expects
 * exactly |record_hex|, and opens |record_hex| back to |content|. */
static void expect_rfc8448_record(const char *secret_name, uint64_t seq, uint8_t type,
                                  const uint8_t *content, size_t content_len,
                                  const char *record_hex) {
    th_secret secret;
    th_rl_dir w, r;
    size_t want_len, got_len;
    uint8_t buf[TH_MAX_CIPHERTEXT_13], alert;
    th_inner_plaintext inner;
    load_secret(secret_name, &secret);
    keyed(&w, TH_TLS_AES_128_GCM_SHA256, &secret);
    keyed(&r, TH_TLS_AES_128_GCM_SHA256, &secret);
    th_rl_dir_set_seq(&w, seq);
    th_rl_dir_set_seq(&r, seq);
    uint8_t *want = th_test_hex(record_hex, &want_len);
    uint8_t *got = seal(&w, type, content, content_len, NULL, &got_len);
    assert_non_null(got);
    assert_int_equal(got_len, want_len);
    assert_memory_equal(got, want, want_len);
    assert_true(open_wire(&r, want, want_len, buf, &inner, &alert));
    assert_true(inner.type == type && inner.padding_len == 0 && inner.content.len == content_len);
    assert_memory_equal(inner.content.data, content, content_len);
    assert_true(r.seq == seq + 1 && w.seq == seq + 1);
    /* The same record does not open under the next sequence number. */
    expect_open_fails(&r, want, want_len, TH_ALERT_BAD_RECORD_MAC);
    free(want);
    free(got);
    cleanup_pair(&w, &r);
}

static void test_rfc8448_server_flight_and_client_finished_records(void **state) {
    (void)state;
    static const char *const kFlight[] = {"encrypted_extensions", "certificate",
                                          "certificate_verify", "server_finished"};
    CBB cbb;
    uint8_t *flight;
    size_t flight_len, len;
    assert_true(CBB_init(&cbb, 1024));
    for (size_t i = 0; i < 4; i++) {
        uint8_t *msg = th_test_vector(kSimple, kFlight[i], &len);
        assert_true(CBB_add_bytes(&cbb, msg, len));
        free(msg);
    }
    assert_true(CBB_finish(&cbb, &flight, &flight_len));
    assert_int_equal(flight_len, 657);
    expect_rfc8448_record("server_handshake_traffic_secret", 0, TH_CT_HANDSHAKE, flight, flight_len,
                          kServerFlightRecord);
    OPENSSL_free(flight);

    uint8_t *fin = th_test_vector(kSimple, "client_finished", &len);
    expect_rfc8448_record("client_handshake_traffic_secret", 0, TH_CT_HANDSHAKE, fin, len,
                          kClientFinishedRecord);
    free(fin);
}

static void test_rfc8448_application_data_records(void **state) {
    (void)state;
    uint8_t payload[50];
    for (size_t i = 0; i < sizeof(payload); i++) {
        payload[i] = (uint8_t)i;
    }
    expect_rfc8448_record("client_application_traffic_secret", 0, APP, payload, sizeof(payload),
                          kClientAppRecord);
    expect_rfc8448_record("server_application_traffic_secret", 1, APP, payload, sizeof(payload),
                          kServerAppRecord);

    /* Direction keys are not interchangeable. */
    th_secret secret;
    th_rl_dir r;
    size_t len;
    load_secret("server_application_traffic_secret", &secret);
    keyed(&r, TH_TLS_AES_128_GCM_SHA256, &secret);
    uint8_t *wire = th_test_hex(kClientAppRecord, &len);
    expect_open_fails(&r, wire, len, TH_ALERT_BAD_RECORD_MAC);
    free(wire);
    th_rl_dir_cleanup(&r);
}

static void test_each_suite_round_trips_and_matches_reference(void **state) {
    (void)state;
    static const size_t kSizes[] = {0, 1, 255, 4096, TH_MAX_PLAINTEXT};
    static uint8_t content[TH_MAX_PLAINTEXT];
    for (size_t i = 0; i < sizeof(content); i++) {
        content[i] = (uint8_t)(i * 7 + 1);
    }
    for (size_t s = 0; s < NUM_SUITES; s++) {
        th_secret secret;
        th_rl_dir w, r;
        uint8_t buf[TH_MAX_CIPHERTEXT_13], alert;
        th_inner_plaintext inner;
        size_t len, ref_len;
        pair(kSuites[s], (uint8_t)(0x10 * s), &secret, &w, &r);
        /* A sequence number with every byte distinct catches byte-order slips. */
        const uint64_t seq = 0x0102030405060708u;
        th_rl_dir_set_seq(&w, seq);
        th_rl_dir_set_seq(&r, seq);
        uint8_t inner_ref[5] = {content[0], content[1], content[2], content[3], TH_CT_HANDSHAKE};
        uint8_t *ref = raw_seal(kSuites[s], &secret, seq, inner_ref, 5, &ref_len);
        uint8_t *wire = seal(&w, TH_CT_HANDSHAKE, content, 4, NULL, &len);
        assert_true(wire != NULL && len == ref_len);
        assert_memory_equal(wire, ref, len);
        assert_true(open_wire(&r, wire, len, buf, &inner, &alert));
        free(ref);
        free(wire);
        for (size_t i = 0; i < sizeof(kSizes) / sizeof(kSizes[0]); i++) {
            uint8_t type = kSizes[i] == 0 ? APP : TH_CT_HANDSHAKE;
            assert_int_equal(transfer(&w, &r, type, content, kSizes[i], NULL), kSizes[i] + 1);
        }
        assert_true(w.seq == seq + 6 && r.seq == seq + 6);
        assert_true(w.num_records == 6 && r.num_records == 6);
        assert_true(w.num_bytes == r.num_bytes && w.num_bytes == 5 + 1 + 2 + 256 + 4097 + 16385);
        cleanup_pair(&w, &r);
    }
}

/* Every single-bit flip anywhere in a record is refused, with the alert of
 * the field it hits; the sequence number does not move, so the original
 * record still opens afterwards. */
static void test_every_bit_flip_is_refused(void **state) {
    (void)state;
    static const uint8_t kContent[20] = "flip every bit here";
    for (size_t s = 0; s < NUM_SUITES; s++) {
        th_secret secret;
        th_rl_dir w, r;
        size_t len;
        uint8_t buf[TH_MAX_CIPHERTEXT_13], alert;
        th_inner_plaintext inner;
        pair(kSuites[s], 0x42, &secret, &w, &r);
        uint8_t *wire = seal(&w, APP, kContent, sizeof(kContent), NULL, &len);
        uint8_t *flipped = malloc(len);
        assert_true(wire != NULL && flipped != NULL);
        for (size_t bit = 0; bit < 8 * len; bit++) {
            size_t at = bit / 8;
            memcpy(flipped, wire, len);
            flipped[at] ^= (uint8_t)(1u << (bit % 8));
            size_t new_len = ((size_t)flipped[3] << 8) | flipped[4];
            uint8_t want = TH_ALERT_BAD_RECORD_MAC; /* version, ciphertext, tag */
            if (at == 0) {
                want = TH_ALERT_UNEXPECTED_MESSAGE;
            } else if ((at == 3 || at == 4) && new_len > TH_MAX_CIPHERTEXT_12) {
                want = TH_ALERT_RECORD_OVERFLOW; /* th_parse_record */
            } else if ((at == 3 || at == 4) && new_len > len - TH_RECORD_HEADER_LEN) {
                want = TH_ALERT_DECODE_ERROR; /* th_parse_record: truncated */
            }
            expect_open_fails(&r, flipped, len, want);
        }
        assert_true(r.seq == 0);
        assert_true(open_wire(&r, wire, len, buf, &inner, &alert));
        assert_memory_equal(inner.content.data, kContent, sizeof(kContent));
        free(flipped);
        free(wire);
        cleanup_pair(&w, &r);
    }
}

static void test_padding_policies(void **state) {
    (void)state;
    static uint8_t big[TH_MAX_PLAINTEXT];
    const uint8_t *hello = (const uint8_t *)"hello";
    const size_t big_len = TH_MAX_PLAINTEXT - 4;
    th_secret secret;
    th_rl_dir w, r;
    size_t len, ref_len;
    pair(TH_TLS_CHACHA20_POLY1305_SHA256, 7, &secret, &w, &r);
    const th_rl_padding none = {TH_RL_PAD_NONE, 99}, block32 = {TH_RL_PAD_BLOCK, 32},
                        block6 = {TH_RL_PAD_BLOCK, 6}, block0 = {TH_RL_PAD_BLOCK, 0},
                        block5k = {TH_RL_PAD_BLOCK, 5000}, exact1000 = {TH_RL_PAD_EXACT, 1000},
                        exact4 = {TH_RL_PAD_EXACT, 4}, exact5 = {TH_RL_PAD_EXACT, 5},
                        bad_mode = {(th_rl_pad_mode)7, 1};
    assert_int_equal(transfer(&w, &r, APP, hello, 5, NULL), 6);
    assert_int_equal(transfer(&w, &r, APP, hello, 5, &none), 6);
    assert_int_equal(transfer(&w, &r, APP, hello, 5, &block32), 32);
    assert_int_equal(transfer(&w, &r, APP, hello, 5, &block6), 6);
    assert_int_equal(transfer(&w, &r, APP, hello, 5, &exact1000), 1006);
    assert_null(seal(&w, APP, hello, 5, &block0, &len));
    assert_null(seal(&w, APP, hello, 5, &bad_mode, &len));
    /* Block padding stops at 2^14 + 1; exact padding past it is refused. */
    assert_int_equal(transfer(&w, &r, APP, big, big_len, &block5k), TH_RL_MAX_INNER_PLAINTEXT);
    assert_int_equal(transfer(&w, &r, APP, big, big_len, &exact4), TH_RL_MAX_INNER_PLAINTEXT);
    assert_null(seal(&w, APP, big, big_len, &exact5, &len));

    /* The padding goes on the wire as zeros: compare with the reference. */
    uint8_t inner_ref[32] = {'h', 'e', 'l', 'l', 'o', APP};
    uint8_t *ref = raw_seal(TH_TLS_CHACHA20_POLY1305_SHA256, &secret, w.seq, inner_ref,
                            sizeof(inner_ref), &ref_len);
    uint8_t *wire = seal(&w, APP, hello, 5, &block32, &len);
    assert_true(wire != NULL && len == ref_len);
    assert_memory_equal(wire, ref, len);
    free(ref);
    free(wire);
    cleanup_pair(&w, &r);
}

static void test_record_size_limit_counts_type_and_padding(void **state) {
    (void)state;
    static const uint8_t content[64];
    th_secret secret;
    th_rl_dir w, r;
    size_t len;
    pair(TH_TLS_AES_128_GCM_SHA256, 1, &secret, &w, &r);
    assert_int_equal(th_rl_max_content_len(&w), TH_MAX_PLAINTEXT);
    assert_false(th_rl_dir_set_record_size_limit(&w, 63));
    assert_true(th_rl_dir_set_record_size_limit(&w, 65535));
    assert_int_equal(th_rl_max_content_len(&w), TH_MAX_PLAINTEXT);
    assert_true(th_rl_dir_set_record_size_limit(&w, 64));
    assert_int_equal(th_rl_max_content_len(&w), 63);

    const th_rl_padding exact53 = {TH_RL_PAD_EXACT, 53}, exact54 = {TH_RL_PAD_EXACT, 54},
                        block128 = {TH_RL_PAD_BLOCK, 128};
    assert_int_equal(transfer(&w, &r, APP, content, 63, NULL), 64);
    assert_null(seal(&w, APP, content, 64, NULL, &len));
    assert_int_equal(transfer(&w, &r, APP, content, 10, &exact53), 64);
    assert_null(seal(&w, APP, content, 10, &exact54, &len));
    assert_int_equal(transfer(&w, &r, APP, content, 10, &block128), 64);

    /* Receiving: a reader with limit 64 refuses a 65-byte inner plaintext
     * from a writer without one, stays in step, and keeps the limit across
     * key changes. */
    keyed(&w, TH_TLS_AES_128_GCM_SHA256, &secret);
    keyed(&r, TH_TLS_AES_128_GCM_SHA256, &secret);
    assert_true(th_rl_dir_set_record_size_limit(&r, 64));
    transfer_fails(&w, &r, APP, content, 64, NULL, TH_ALERT_RECORD_OVERFLOW);
    transfer(&w, &r, APP, content, 63, NULL);
    assert_true(th_rl_dir_update(&w) && th_rl_dir_update(&r));
    transfer_fails(&w, &r, APP, content, 64, NULL, TH_ALERT_RECORD_OVERFLOW);
    cleanup_pair(&w, &r);
}

static void test_sequence_number_never_wraps(void **state) {
    (void)state;
    th_secret secret;
    th_rl_dir w, r;
    size_t len;
    pair(TH_TLS_CHACHA20_POLY1305_SHA256, 3, &secret, &w, &r);
    th_rl_dir_set_seq(&w, UINT64_MAX - TH_RL_SEQ_HEADROOM - 1);
    assert_false(th_rl_dir_needs_key_update(&w));
    th_rl_dir_set_seq(&w, UINT64_MAX - TH_RL_SEQ_HEADROOM);
    assert_true(th_rl_dir_needs_key_update(&w));

    th_rl_dir_set_seq(&w, UINT64_MAX - 1);
    th_rl_dir_set_seq(&r, UINT64_MAX - 1);
    transfer(&w, &r, APP, kX, 1, NULL);
    assert_true(w.seq == UINT64_MAX && r.seq == UINT64_MAX);
    /* RFC 8446 §5.3: no record under the number that would wrap. */
    assert_null(seal(&w, APP, kX, 1, NULL, &len));
    uint8_t inner_x[2] = {'x', APP};
    uint8_t *wire =
        raw_seal(TH_TLS_CHACHA20_POLY1305_SHA256, &secret, UINT64_MAX, inner_x, 2, &len);
    expect_open_fails(&r, wire, len, TH_ALERT_INTERNAL_ERROR);
    free(wire);

    assert_true(th_rl_dir_update(&w) && th_rl_dir_update(&r));
    assert_true(w.seq == 0 && !th_rl_dir_needs_key_update(&w));
    transfer(&w, &r, APP, kX, 1, NULL);
    cleanup_pair(&w, &r);
}

static void test_usage_limit_asks_for_key_update(void **state) {
    (void)state;
    /* TH_RL_AES_GCM_MAX_RECORDS is floor(2^24.5): n^2 <= 2^49 < (n+1)^2. */
    const uint64_t n = TH_RL_AES_GCM_MAX_RECORDS;
    assert_true(n * n <= (UINT64_C(1) << 49) && (n + 1) * (n + 1) > (UINT64_C(1) << 49));
    th_secret secret;
    th_rl_dir w, r;
    pair(TH_TLS_AES_256_GCM_SHA384, 9, &secret, &w, &r);
    assert_true(w.max_records == TH_RL_AES_GCM_MAX_RECORDS);
    th_rl_dir_set_usage_cap(&w, 3);
    for (int i = 0; i < 3; i++) {
        assert_false(th_rl_dir_needs_key_update(&w));
        transfer(&w, &r, APP, kX, 1, NULL);
    }
    assert_true(th_rl_dir_needs_key_update(&w));
    assert_true(th_rl_dir_update(&w));
    assert_false(th_rl_dir_needs_key_update(&w));
    assert_true(w.max_records == 3 && w.num_records == 0 && w.num_bytes == 0);
    th_rl_dir_set_usage_cap(&w, 0);
    assert_true(w.max_records == TH_RL_AES_GCM_MAX_RECORDS);
    cleanup_pair(&w, &r);

    pair(TH_TLS_CHACHA20_POLY1305_SHA256, 9, &secret, &w, &r);
    assert_true(w.max_records == UINT64_MAX);
    cleanup_pair(&w, &r);
}

static void test_key_update_keeps_both_sides_in_step(void **state) {
    (void)state;
    for (size_t s = 0; s < NUM_SUITES; s++) {
        const EVP_MD *md = th_suite_hash(kSuites[s]);
        th_secret secret;
        th_rl_dir w, r;
        uint8_t buf[TH_MAX_CIPHERTEXT_13], alert;
        th_inner_plaintext inner;
        size_t len;
        pair(kSuites[s], 0x77, &secret, &w, &r);
        for (int round = 0; round < 4; round++) {
            for (int i = 0; i < 3; i++) {
                transfer(&w, &r, APP, kX, 1, NULL);
            }
            assert_true(th_tls13_next_traffic_secret(&secret, md, &secret));
            assert_true(th_rl_dir_update(&w) && th_rl_dir_update(&r));
            assert_int_equal(w.traffic_secret.len, secret.len);
            assert_memory_equal(w.traffic_secret.bytes, secret.bytes, secret.len);
            assert_true(w.seq == 0 && r.seq == 0);
        }
        /* A writer that updates alone is not understood until the reader does. */
        assert_true(th_rl_dir_update(&w));
        uint8_t *wire = seal(&w, APP, kX, 1, NULL, &len);
        expect_open_fails(&r, wire, len, TH_ALERT_BAD_RECORD_MAC);
        assert_true(th_rl_dir_update(&r));
        assert_true(open_wire(&r, wire, len, buf, &inner, &alert));
        free(wire);
        cleanup_pair(&w, &r);
    }
}

static void test_oversize_records_are_refused(void **state) {
    (void)state;
    static uint8_t big[TH_RECORD_HEADER_LEN + TH_MAX_CIPHERTEXT_13 + 1];
    th_secret secret;
    th_rl_dir w, r;
    size_t len;
    pair(TH_TLS_AES_128_GCM_SHA256, 5, &secret, &w, &r);
    /* Seal: content over 2^14 bytes. */
    assert_null(seal(&w, APP, big, TH_MAX_PLAINTEXT + 1, NULL, &len));
    /* Open: TLSCiphertext.length over 2^14 + 256 is record_overflow before any
     * decryption; exactly 2^14 + 256 goes on to the AEAD. */
    big[0] = APP;
    big[1] = big[2] = 3;
    big[3] = (uint8_t)((TH_MAX_CIPHERTEXT_13 + 1) >> 8);
    big[4] = (uint8_t)(TH_MAX_CIPHERTEXT_13 + 1);
    expect_open_fails(&r, big, sizeof(big), TH_ALERT_RECORD_OVERFLOW);
    big[4]--;
    expect_open_fails(&r, big, sizeof(big) - 1, TH_ALERT_BAD_RECORD_MAC);
    /* A genuine record whose plaintext is 2^14 + 2 bytes (2^14 + 1 of content
     * and the type) authenticates but is record_overflow. */
    uint8_t *inner = malloc(TH_MAX_PLAINTEXT + 2);
    assert_non_null(inner);
    memset(inner, 0x61, TH_MAX_PLAINTEXT + 1);
    inner[TH_MAX_PLAINTEXT + 1] = APP;
    uint8_t *wire =
        raw_seal(TH_TLS_AES_128_GCM_SHA256, &secret, 0, inner, TH_MAX_PLAINTEXT + 2, &len);
    expect_open_fails(&r, wire, len, TH_ALERT_RECORD_OVERFLOW);
    free(wire);
    free(inner);
    cleanup_pair(&w, &r);
}

static void test_all_zero_plaintext_is_unexpected_message(void **state) {
    (void)state;
    static const uint8_t zeros[50];
    const th_rl_padding pad = {TH_RL_PAD_EXACT, 100};
    th_secret secret;
    th_rl_dir w, r;
    size_t len;
    pair(TH_TLS_AES_128_GCM_SHA256, 11, &secret, &w, &r);
    /* Type 0 with no content: the plaintext is one zero byte, then 101. */
    transfer_fails(&w, &r, TH_CT_INVALID, NULL, 0, NULL, TH_ALERT_UNEXPECTED_MESSAGE);
    transfer_fails(&w, &r, TH_CT_INVALID, NULL, 0, &pad, TH_ALERT_UNEXPECTED_MESSAGE);
    /* The same from the independent reference. */
    uint8_t *wire = raw_seal(TH_TLS_AES_128_GCM_SHA256, &secret, r.seq, zeros, 50, &len);
    expect_open_fails(&r, wire, len, TH_ALERT_UNEXPECTED_MESSAGE);
    free(wire);
    cleanup_pair(&w, &r);
}

static void test_outer_type_and_empty_messages_are_unexpected_message(void **state) {
    (void)state;
    static const uint8_t kTypes[] = {
        0, TH_CT_CHANGE_CIPHER_SPEC, TH_CT_ALERT, TH_CT_HANDSHAKE, TH_CT_HEARTBEAT, 0xff};
    const th_rl_padding pad = {TH_RL_PAD_EXACT, 5};
    th_secret secret;
    th_rl_dir w, r;
    size_t len;
    pair(TH_TLS_AES_256_GCM_SHA384, 13, &secret, &w, &r);
    uint8_t *wire = seal(&w, TH_CT_HANDSHAKE, (const uint8_t *)"hs", 2, NULL, &len);
    assert_non_null(wire);
    for (size_t i = 0; i < sizeof(kTypes); i++) {
        wire[0] = kTypes[i];
        expect_open_fails(&r, wire, len, TH_ALERT_UNEXPECTED_MESSAGE);
    }
    free(wire);
    th_rl_dir_set_seq(&w, 0);
    /* RFC 8446 §5.4: empty handshake and alert records are refused (padding
     * or not); empty application data is fine. */
    transfer_fails(&w, &r, TH_CT_HANDSHAKE, NULL, 0, NULL, TH_ALERT_UNEXPECTED_MESSAGE);
    transfer_fails(&w, &r, TH_CT_ALERT, NULL, 0, &pad, TH_ALERT_UNEXPECTED_MESSAGE);
    assert_int_equal(transfer(&w, &r, APP, NULL, 0, &pad), 6);
    cleanup_pair(&w, &r);
}

static void test_open_decrypts_in_place_and_checks_the_buffer(void **state) {
    (void)state;
    th_secret secret;
    th_rl_dir w, r;
    th_inner_plaintext inner;
    th_record rec;
    uint8_t alert, small[9];
    size_t len;
    CBS cbs;
    pair(TH_TLS_CHACHA20_POLY1305_SHA256, 17, &secret, &w, &r);
    uint8_t *wire = seal(&w, APP, (const uint8_t *)"in place!", 9, NULL, &len);
    assert_non_null(wire);
    CBS_init(&cbs, wire, len);
    assert_true(th_parse_record(&cbs, &rec, &alert));
    /* Room for 9 bytes of content but not the type byte. */
    assert_false(th_rl_open(&r, &rec, small, sizeof(small), &inner, &alert));
    assert_int_equal(alert, TH_ALERT_INTERNAL_ERROR);
    uint8_t *body = wire + TH_RECORD_HEADER_LEN;
    assert_true(th_rl_open(&r, &rec, body, rec.fragment.len, &inner, &alert));
    assert_ptr_equal(inner.content.data, body);
    assert_memory_equal(inner.content.data, "in place!", 9);
    free(wire);
    cleanup_pair(&w, &r);
}

static void test_keyless_and_bad_keys_are_refused(void **state) {
    (void)state;
    th_rl_dir dir;
    th_secret secret;
    th_record rec = {APP, TH_VERSION_TLS12, {(const uint8_t *)"0123456789abcdefg", 17}};
    th_inner_plaintext inner;
    uint8_t buf[32], alert;
    size_t len;
    memset(&dir, 0, sizeof(dir));
    assert_null(seal(&dir, APP, kX, 1, NULL, &len));
    assert_false(th_rl_open(&dir, &rec, buf, sizeof(buf), &inner, &alert));
    assert_int_equal(alert, TH_ALERT_INTERNAL_ERROR);
    assert_false(th_rl_dir_needs_key_update(&dir));
    assert_false(th_rl_dir_update(&dir));
    /* TLS_AES_128_CCM_SHA256 is not offered; a SHA-384 secret for a SHA-256
     * suite is a caller mix-up. Either leaves the direction without a key. */
    make_secret(TH_TLS_AES_128_GCM_SHA256, 1, &secret);
    assert_false(th_rl_dir_set_key(&dir, 0x1304, &secret));
    assert_true(th_rl_dir_set_key(&dir, TH_TLS_AES_128_GCM_SHA256, &secret));
    make_secret(TH_TLS_AES_256_GCM_SHA384, 1, &secret);
    assert_false(th_rl_dir_set_key(&dir, TH_TLS_AES_128_GCM_SHA256, &secret));
    assert_int_equal(dir.suite, 0);
    assert_null(seal(&dir, APP, kX, 1, NULL, &len));
    /* Re-keying from its own secret works (the argument may alias). */
    assert_true(th_rl_dir_set_key(&dir, TH_TLS_AES_256_GCM_SHA384, &secret));
    assert_true(th_rl_dir_set_key(&dir, TH_TLS_AES_256_GCM_SHA384, &dir.traffic_secret));
    assert_memory_equal(dir.traffic_secret.bytes, secret.bytes, secret.len);
    th_rl_dir_cleanup(&dir);
}

static void test_cleanup_wipes_everything(void **state) {
    (void)state;
    static const th_rl_dir zero;
    th_rl_dir dir;
    th_secret secret;
    size_t len;
    make_secret(TH_TLS_AES_256_GCM_SHA384, 21, &secret);
    keyed(&dir, TH_TLS_AES_256_GCM_SHA384, &secret);
    assert_true(th_rl_dir_set_record_size_limit(&dir, 1000));
    th_rl_dir_set_usage_cap(&dir, 5);
    free(seal(&dir, APP, kX, 1, NULL, &len));
    th_rl_dir_cleanup(&dir);
    assert_memory_equal(&dir, &zero, sizeof(dir));
    th_rl_dir_cleanup(&dir);
    th_rl_dir_cleanup(NULL);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc8448_server_flight_and_client_finished_records),
        cmocka_unit_test(test_rfc8448_application_data_records),
        cmocka_unit_test(test_each_suite_round_trips_and_matches_reference),
        cmocka_unit_test(test_every_bit_flip_is_refused),
        cmocka_unit_test(test_padding_policies),
        cmocka_unit_test(test_record_size_limit_counts_type_and_padding),
        cmocka_unit_test(test_sequence_number_never_wraps),
        cmocka_unit_test(test_usage_limit_asks_for_key_update),
        cmocka_unit_test(test_key_update_keeps_both_sides_in_step),
        cmocka_unit_test(test_oversize_records_are_refused),
        cmocka_unit_test(test_all_zero_plaintext_is_unexpected_message),
        cmocka_unit_test(test_outer_type_and_empty_messages_are_unexpected_message),
        cmocka_unit_test(test_open_decrypts_in_place_and_checks_the_buffer),
        cmocka_unit_test(test_keyless_and_bad_keys_are_refused),
        cmocka_unit_test(test_cleanup_wipes_everything),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
