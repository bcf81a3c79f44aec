#include "scenario.h"

#include <stdlib.h>
#include <string.h>

static void value_cleanup(th_sc_value *v) {
    free(v->bytes);
    free(v->str);
    free(v->ints);
    if (v->strs != NULL) {
        for (size_t i = 0; i < v->num; i++) {
            free(v->strs[i]);
        }
        free(v->strs);
    }
    memset(v, 0, sizeof(*v));
}

static void sets_free(th_sc_set *sets, size_t num) {
    for (size_t i = 0; i < num; i++) {
        value_cleanup(&sets[i].value);
    }
    free(sets);
}

static void steps_cleanup(th_sc_steps *steps);

static void step_cleanup(th_sc_step *st) {
    th_sc_send *s = &st->send;
    sets_free(s->sets, s->num_sets);
    for (size_t i = 0; i < s->num_ext_ops; i++) {
        free(s->ext_ops[i].body);
    }
    free(s->ext_ops);
    free(s->body);
    free(s->append);
    free(s->data);
    th_sc_expect *e = &st->expect;
    sets_free(e->fields, e->num_fields);
    free(e->ext_present);
    free(e->ext_absent);
    free(e->alerts);
    free(e->data);
    free(e->alpn);
    free(st->handshake.skip);
    for (size_t i = 0; i < st->num_alts; i++) {
        steps_cleanup(&st->alts[i]);
    }
    free(st->alts);
    steps_cleanup(&st->body);
    memset(st, 0, sizeof(*st));
}

static void steps_cleanup(th_sc_steps *steps) {
    for (size_t i = 0; i < steps->num_steps; i++) {
        step_cleanup(&steps->steps[i]);
    }
    free(steps->steps);
    memset(steps, 0, sizeof(*steps));
}

static void strs_free(char **strs, size_t num) {
    for (size_t i = 0; strs != NULL && i < num; i++) {
        free(strs[i]);
    }
    free(strs);
}

static void side_cleanup(th_sc_side *side) {
    free(side->versions);
    free(side->cipher_suites);
    free(side->groups);
    free(side->key_shares);
    free(side->sig_schemes);
    strs_free(side->alpn, side->num_alpn);
    free(side->server_name);
    free(side->certificate);
    free(side->early_data);
    memset(side, 0, sizeof(*side));
}

void th_scenario_free(th_scenario *s) {
    if (s == NULL) {
        return;
    }
    free(s->id);
    free(s->title);
    free(s->rfc.doc);
    free(s->rfc.section);
    free(s->rfc.quote);
    strs_free(s->peers, s->num_peers);
    side_cleanup(&s->ours);
    side_cleanup(&s->peer);
    steps_cleanup(&s->steps);
    free(s->matrix_label);
    free(s);
}

void th_scenario_set_cleanup(th_scenario_set *set) {
    if (set == NULL) {
        return;
    }
    for (size_t i = 0; i < set->num_scenarios; i++) {
        th_scenario_free(set->scenarios[i]);
    }
    free(set->scenarios);
    strs_free(set->files, set->num_files);
    memset(set, 0, sizeof(*set));
}
