/* Expect steps of schema v1 (scenarios/README.md): a message with its
 * fields and extensions, alerts, close, nothing, application data and the
 * negotiated parameters, typed into th_sc_expect. */
#include "load_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char *const kExpectMessageKeys[] = {"message", "fields", "extensions_present",
                                                 "extensions_absent"};
static const char *const kExpectAlertKeys[] = {"alert", "level"};
static const char *const kExpectNothingKeys[] = {"nothing"};
static const char *const kExpectAppKeys[] = {"application_data"};
static const char *const kExpectAppHexKeys[] = {"application_data_hex"};
static const char *const kExpectNegKeys[] = {"negotiated"};
static const char *const kNegotiatedKeys[] = {
    "version", "cipher_suite", "group", "alpn", "resumed", "hello_retry", "early_data_accepted"};

static const struct {
    const char *key;
    th_sc_expect_kind kind;
    const char *const *keys;
    size_t num_keys;
} kExpectKinds[] = {
    {"message", TH_SC_EXPECT_MESSAGE, kExpectMessageKeys, COUNT(kExpectMessageKeys)},
    {"alert", TH_SC_EXPECT_ALERT, kExpectAlertKeys, COUNT(kExpectAlertKeys)},
    {"nothing", TH_SC_EXPECT_NOTHING, kExpectNothingKeys, COUNT(kExpectNothingKeys)},
    {"application_data", TH_SC_EXPECT_APP_DATA, kExpectAppKeys, COUNT(kExpectAppKeys)},
    {"application_data_hex", TH_SC_EXPECT_APP_DATA, kExpectAppHexKeys, COUNT(kExpectAppHexKeys)},
    {"negotiated", TH_SC_EXPECT_NEGOTIATED, kExpectNegKeys, COUNT(kExpectNegKeys)},
};

static void negotiated_parse(th_ld *c, yaml_node_t *n, th_sc_expect *e) {
    if (!th_ld_map(c, n, "negotiated", kNegotiatedKeys, COUNT(kNegotiatedKeys))) {
        return;
    }
    yaml_node_t *v;
    uint64_t u;
    if ((v = th_ld_get(c, n, "version", NULL)) != NULL &&
        th_ld_code(c, v, TH_SC_NAMES_VERSION, 0xffff, &u)) {
        e->version = (uint16_t)u;
    }
    if ((v = th_ld_get(c, n, "cipher_suite", NULL)) != NULL &&
        th_ld_code(c, v, TH_SC_NAMES_SUITE, 0xffff, &u)) {
        e->cipher_suite = (uint16_t)u;
    }
    if ((v = th_ld_get(c, n, "group", NULL)) != NULL &&
        th_ld_code(c, v, TH_SC_NAMES_GROUP, 0xffff, &u)) {
        e->group = (uint16_t)u;
    }
    if ((v = th_ld_get(c, n, "alpn", NULL)) != NULL) {
        (void)th_ld_strdup(c, v, "a protocol name (\"\" for none)", &e->alpn);
    }
    if ((v = th_ld_get(c, n, "resumed", NULL)) != NULL) {
        (void)th_ld_bool(c, v, "resumed", &e->resumed);
    }
    if ((v = th_ld_get(c, n, "hello_retry", NULL)) != NULL) {
        (void)th_ld_bool(c, v, "hello_retry", &e->hello_retry);
    }
    if ((v = th_ld_get(c, n, "early_data_accepted", NULL)) != NULL) {
        (void)th_ld_bool(c, v, "early_data_accepted", &e->early_data_accepted);
    }
}

void th_ld_expect(th_ld *c, yaml_node_t *n, th_sc_expect *e) {
    char kb[64];
    e->resumed = -1;
    e->hello_retry = -1;
    e->early_data_accepted = -1;
    if (n->type == YAML_SCALAR_NODE) {
        const char *s = th_ld_str(c, n, "a message name");
        if (s == NULL) {
            return;
        }
        if (strcmp(s, "close") == 0) {
            e->kind = TH_SC_EXPECT_CLOSE;
        } else if (strcmp(s, "change_cipher_spec") == 0) {
            e->kind = TH_SC_EXPECT_CCS;
        } else if (strcmp(s, "established") == 0) {
            e->kind = TH_SC_EXPECT_ESTABLISHED;
        } else if ((e->msg = th_sc_msg_by_name(s)) != TH_SC_MSG_NONE) {
            e->kind = TH_SC_EXPECT_MESSAGE;
        } else {
            th_ld_err(c, n,
                      "unknown message '%.64s' to expect (expected a handshake message name, "
                      "close, change_cipher_spec, established, or a mapping)",
                      s);
        }
        return;
    }
    if (n->type != YAML_MAPPING_NODE) {
        th_ld_err(c, n, "expected a message name or a mapping to expect, got %s",
                  th_ld_kind(c, n, kb, sizeof(kb)));
        return;
    }
    size_t which = COUNT(kExpectKinds);
    for (size_t i = 0; i < COUNT(kExpectKinds); i++) {
        yaml_node_t *key = NULL;
        if (th_ld_get(c, n, kExpectKinds[i].key, &key) == NULL) {
            continue;
        }
        if (which != COUNT(kExpectKinds)) {
            th_ld_err(c, key,
                      "an expectation has one of message, alert, nothing, "
                      "application_data, application_data_hex, negotiated: '%s' "
                      "comes with '%s'",
                      kExpectKinds[i].key, kExpectKinds[which].key);
            return;
        }
        which = i;
    }
    if (which == COUNT(kExpectKinds)) {
        if (!c->over_budget) {
            th_ld_err(c, n,
                      "expected one of message, alert, nothing, application_data, "
                      "application_data_hex, negotiated in an expectation");
        }
        return;
    }
    e->kind = kExpectKinds[which].kind;
    (void)th_ld_map(c, n, "an expectation", kExpectKinds[which].keys, kExpectKinds[which].num_keys);
    yaml_node_t *v = th_ld_get(c, n, kExpectKinds[which].key, NULL);
    if (v == NULL) {
        return;
    }
    uint64_t u;
    switch (e->kind) {
    case TH_SC_EXPECT_MESSAGE: {
        if (!th_ld_msg(c, v, &e->msg)) {
            return;
        }
        yaml_node_t *f;
        if ((f = th_ld_get(c, n, "fields", NULL)) != NULL) {
            char w[96];
            snprintf(w, sizeof(w), "fields (of %s)", th_sc_msg_name(e->msg));
            th_ld_sets(c, f, e->msg, w, &e->fields, &e->num_fields);
        }
        if ((f = th_ld_get(c, n, "extensions_present", NULL)) != NULL) {
            (void)th_ld_u16_list(c, f, TH_SC_NAMES_EXT, &e->ext_present, &e->num_ext_present);
        }
        if ((f = th_ld_get(c, n, "extensions_absent", NULL)) != NULL) {
            (void)th_ld_u16_list(c, f, TH_SC_NAMES_EXT, &e->ext_absent, &e->num_ext_absent);
        }
        return;
    }
    case TH_SC_EXPECT_ALERT: {
        uint64_t *alerts = NULL;
        size_t num = 0;
        if (v->type == YAML_SEQUENCE_NODE) {
            if (th_ld_code_list(c, v, TH_SC_NAMES_ALERT, 0xff, &alerts, &num) && num == 0) {
                th_ld_err(c, v, "expected a non-empty list of alerts");
            }
        } else if (th_ld_code(c, v, TH_SC_NAMES_ALERT, 0xff, &u)) {
            alerts = malloc(sizeof(*alerts));
            if (alerts != NULL) {
                alerts[0] = u;
                num = 1;
            }
        }
        if (num > 0) {
            e->alerts = malloc(num);
            if (e->alerts != NULL) {
                for (size_t i = 0; i < num; i++) {
                    e->alerts[i] = (uint8_t)alerts[i];
                }
                e->num_alerts = num;
            }
        }
        free(alerts);
        yaml_node_t *l = th_ld_get(c, n, "level", NULL);
        if (l != NULL) {
            (void)th_ld_level(c, l, &e->level);
        }
        return;
    }
    case TH_SC_EXPECT_NOTHING:
        if (th_ld_uint(c, v, "milliseconds", 600000, &u)) {
            e->deadline_ms = (unsigned)u;
        }
        return;
    case TH_SC_EXPECT_APP_DATA:
        if (strcmp(kExpectKinds[which].key, "application_data_hex") == 0) {
            (void)th_ld_hex(c, v, "application_data_hex", &e->data, &e->data_len);
        } else {
            char *text = NULL;
            if (th_ld_strdup(c, v, "the data expected", &text)) {
                e->data = (uint8_t *)text;
                e->data_len = strlen(text);
            }
        }
        return;
    case TH_SC_EXPECT_NEGOTIATED:
        negotiated_parse(c, v, e);
        return;
    default:
        return;
    }
}
