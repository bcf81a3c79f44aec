#include "kex.h"

#include <string.h>

#include <openssl/bn.h>
#include <openssl/curve25519.h>
#include <openssl/ec.h>
#include <openssl/ecdh.h>
#include <openssl/mem.h>
#include <openssl/nid.h>

/* The groups this stack exchanges keys in, with their RFC 8446 §4.2.8.2 share
 * lengths. */
static const struct {
    uint16_t group;
    int nid; /* NID_undef for X25519 */
    size_t public_len;
    size_t scalar_len;
} kGroups[] = {
    {TH_GROUP_X25519, NID_undef, 32, 32},
    {TH_GROUP_SECP256R1, NID_X9_62_prime256v1, 65, 32},
    {TH_GROUP_SECP384R1, NID_secp384r1, 97, 48},
};

/* Tries to draw a scalar in [1, order) before giving up: the chance that a
 * uniformly random value misses this often is below 2^-1000. */
#define MAX_SCALAR_TRIES 32

static int find_group(uint16_t group, size_t *out_index) {
    for (size_t i = 0; i < sizeof(kGroups) / sizeof(kGroups[0]); i++) {
        if (kGroups[i].group == group) {
            *out_index = i;
            return 1;
        }
    }
    return 0;
}

int th_kex_group_supported(uint16_t group) {
    size_t i;
    return find_group(group, &i);
}

size_t th_kex_public_len(uint16_t group) {
    size_t i;
    return find_group(group, &i) ? kGroups[i].public_len : 0;
}

/* Makes |k->ec| a key on |nid| whose private scalar comes from |random|. */
static int generate_ec(th_kex *k, int nid, size_t scalar_len, th_random_fn random,
                       void *random_ctx) {
    int ok = 0;
    uint8_t buf[TH_KEX_MAX_SECRET];
    BIGNUM *d = BN_new();
    EC_POINT *pub = NULL;
    k->ec = EC_KEY_new_by_curve_name(nid);
    if (d == NULL || k->ec == NULL) {
        goto err;
    }
    const EC_GROUP *group = EC_KEY_get0_group(k->ec);
    const BIGNUM *order = EC_GROUP_get0_order(group);
    int found = 0;
    for (int tries = 0; tries < MAX_SCALAR_TRIES && !found; tries++) {
        random(random_ctx, buf, scalar_len);
        if (!BN_bin2bn(buf, scalar_len, d)) {
            goto err;
        }
        found = !BN_is_zero(d) && BN_cmp(d, order) < 0;
    }
    pub = EC_POINT_new(group);
    if (!found || pub == NULL || !EC_POINT_mul(group, pub, d, NULL, NULL, NULL) ||
        !EC_KEY_set_private_key(k->ec, d) || !EC_KEY_set_public_key(k->ec, pub)) {
        goto err;
    }
    k->public_key_len = EC_POINT_point2oct(group, pub, POINT_CONVERSION_UNCOMPRESSED, k->public_key,
                                           sizeof(k->public_key), NULL);
    ok = k->public_key_len != 0;
err:
    OPENSSL_cleanse(buf, sizeof(buf));
    BN_clear_free(d);
    EC_POINT_free(pub);
    return ok;
}

int th_kex_generate(th_kex *out, uint16_t group, th_random_fn random, void *random_ctx) {
    size_t i;
    memset(out, 0, sizeof(*out));
    if (!find_group(group, &i) || random == NULL) {
        return 0;
    }
    if (group == TH_GROUP_X25519) {
        random(random_ctx, out->x25519_private, sizeof(out->x25519_private));
        X25519_public_from_private(out->public_key, out->x25519_private);
        out->public_key_len = 32;
    } else if (!generate_ec(out, kGroups[i].nid, kGroups[i].scalar_len, random, random_ctx)) {
        th_kex_cleanup(out);
        return 0;
    }
    out->group = group;
    return 1;
}

/* Decodes a NIST peer share into a new point on |group|, or NULL. */
static EC_POINT *decode_point(const EC_GROUP *group, size_t public_len, const uint8_t *peer,
                              size_t peer_len) {
    /* RFC 8446 §4.2.8.2: "the contents are the serialized value of the
     * following struct ... legacy_form = 4" (UncompressedPointRepresentation),
     * and "peers MUST validate each other's public key Y by ensuring that the
     * point is a valid point on the elliptic curve". */
    if (peer_len != public_len || peer[0] != 0x04) {
        return NULL;
    }
    EC_POINT *point = EC_POINT_new(group);
    if (point == NULL || !EC_POINT_oct2point(group, point, peer, peer_len, NULL) ||
        EC_POINT_is_at_infinity(group, point)) {
        EC_POINT_free(point);
        return NULL;
    }
    return point;
}

int th_kex_check_peer_share(uint16_t group, const uint8_t *peer, size_t peer_len,
                            uint8_t *out_alert) {
    size_t i;
    *out_alert = TH_ALERT_ILLEGAL_PARAMETER;
    if (!find_group(group, &i) || peer_len != kGroups[i].public_len) {
        return 0;
    }
    if (group == TH_GROUP_X25519) {
        return 1;
    }
    EC_GROUP *ec_group = EC_GROUP_new_by_curve_name(kGroups[i].nid);
    if (ec_group == NULL) {
        *out_alert = TH_ALERT_INTERNAL_ERROR;
        return 0;
    }
    EC_POINT *point = decode_point(ec_group, kGroups[i].public_len, peer, peer_len);
    int ok = point != NULL;
    EC_POINT_free(point);
    EC_GROUP_free(ec_group);
    return ok;
}

int th_kex_compute(const th_kex *k, const uint8_t *peer, size_t peer_len, uint8_t *out,
                   size_t *out_len, uint8_t *out_alert) {
    size_t i;
    *out_len = 0;
    if (k == NULL || k->group == 0 || !find_group(k->group, &i)) {
        *out_alert = TH_ALERT_INTERNAL_ERROR;
        return 0;
    }
    *out_alert = TH_ALERT_ILLEGAL_PARAMETER;
    if (peer_len != kGroups[i].public_len) {
        return 0;
    }
    if (k->group == TH_GROUP_X25519) {
        /* RFC 8446 §7.4.2: "For X25519 and X448, implementations MUST check
         * whether the computed Diffie-Hellman shared secret is the all-zero
         * value and abort if so". X25519() returns 0 in that case. */
        if (!X25519(out, k->x25519_private, peer)) {
            OPENSSL_cleanse(out, 32);
            return 0;
        }
        *out_len = 32;
        return 1;
    }
    const EC_GROUP *group = EC_KEY_get0_group(k->ec);
    EC_POINT *point = decode_point(group, kGroups[i].public_len, peer, peer_len);
    if (point == NULL) {
        return 0;
    }
    size_t field_len = (kGroups[i].public_len - 1) / 2;
    int n = ECDH_compute_key(out, field_len, point, k->ec, NULL);
    EC_POINT_free(point);
    if (n != (int)field_len) {
        OPENSSL_cleanse(out, field_len);
        *out_alert = TH_ALERT_INTERNAL_ERROR;
        return 0;
    }
    *out_len = field_len;
    return 1;
}

void th_kex_cleanup(th_kex *k) {
    if (k == NULL) {
        return;
    }
    EC_KEY_free(k->ec);
    OPENSSL_cleanse(k, sizeof(*k));
}
