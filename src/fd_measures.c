/*
 * fd_measures.c -- the table of measures: one row per public function of the
 * exact family, naming the block kernels that compute it
 * (fd_kernels.template.c) and how the row driver (_divergence.pyx) turns
 * their sums into the value.  A new measure is a row here, its kernels in
 * the template, and its public function in fastdiv/_exact.py.
 */
#include "fd_core.h"

/* The fields a measure without Renyi orders leaves at FD_K_NONE. */
#define FD_NO_RENYI                                                           \
    .renyi = FD_K_NONE, .renyi_wide = FD_K_NONE, .renyi_max = FD_K_NONE,      \
    .renyi_lse = FD_K_NONE, .renyi_zero = FD_K_NONE, .renyi_inf = FD_K_NONE

const fd_measure fd_measures[FD_NMEASURE] = {
    [FD_ENTROPY] = {
        .name = "entropy", .nin = 1,
        .onepass = FD_K_ENT1, .onepass_form = FD_OP_LOG_SP,
        .terms = FD_K_ENT, .terms_scaled = 0, .wide = FD_K_WENT,
        .finish = FD_FIN_ENTROPY,
        .logit_form = FD_LG_ENTROPY, .logit_terms = FD_K_NONE,
        .alpha_one = FD_ENTROPY, FD_NO_RENYI,
    },
    [FD_CROSS_ENTROPY] = {
        .name = "cross_entropy", .nin = 2,
        .onepass = FD_K_XENT1, .onepass_form = FD_OP_LOG_SQ,
        .terms = FD_K_XENT, .terms_scaled = 0, .wide = FD_K_WXENT,
        .finish = FD_FIN_DIVERGENCE,
        .logit_form = FD_LG_CROSS_ENTROPY, .logit_terms = FD_K_NONE,
        .alpha_one = FD_CROSS_ENTROPY, FD_NO_RENYI,
    },
    [FD_KL] = {
        .name = "kl_divergence", .nin = 2,
        .onepass = FD_K_KL1, .onepass_form = FD_OP_LOG_RATIO,
        .terms = FD_K_KL, .terms_scaled = 0, .wide = FD_K_WKL,
        .finish = FD_FIN_DIVERGENCE,
        .logit_form = FD_LG_KL, .logit_terms = FD_K_NONE,
        .alpha_one = FD_KL, FD_NO_RENYI,
    },
    [FD_JS] = {
        .name = "js_divergence", .nin = 2,
        .onepass = FD_K_NONE, .onepass_form = FD_OP_NONE,
        .terms = FD_K_JS, .terms_scaled = 1, .wide = FD_K_WJS,
        .finish = FD_FIN_JS,
        .logit_form = FD_LG_TERMS, .logit_terms = FD_K_LJS,
        .alpha_one = FD_JS, FD_NO_RENYI,
    },
    [FD_JS_DISTANCE] = {
        .name = "js_distance", .nin = 2,
        .onepass = FD_K_NONE, .onepass_form = FD_OP_NONE,
        .terms = FD_K_JS, .terms_scaled = 1, .wide = FD_K_WJS,
        .finish = FD_FIN_JS_DISTANCE,
        .logit_form = FD_LG_TERMS, .logit_terms = FD_K_LJS,
        .alpha_one = FD_JS_DISTANCE, FD_NO_RENYI,
    },
    [FD_TV] = {
        .name = "total_variation", .nin = 2,
        .onepass = FD_K_NONE, .onepass_form = FD_OP_NONE,
        .terms = FD_K_TV, .terms_scaled = 1, .wide = FD_K_WTV,
        .finish = FD_FIN_TV,
        .logit_form = FD_LG_TERMS, .logit_terms = FD_K_LTV,
        .alpha_one = FD_TV, FD_NO_RENYI,
    },
    [FD_HELLINGER] = {
        .name = "hellinger", .nin = 2,
        .onepass = FD_K_HEL1, .onepass_form = FD_OP_HELLINGER,
        .terms = FD_K_HEL, .terms_scaled = 1, .wide = FD_K_WHEL,
        .finish = FD_FIN_HELLINGER,
        .logit_form = FD_LG_TERMS, .logit_terms = FD_K_LHEL,
        .alpha_one = FD_HELLINGER, FD_NO_RENYI,
    },
    /* At alpha = 1 the Renyi measures are Shannon's entropy and KL, and the
       driver uses those rows. */
    [FD_RENYI_ENTROPY] = {
        .name = "renyi_entropy", .nin = 1,
        .onepass = FD_K_NONE, .onepass_form = FD_OP_NONE,
        .terms = FD_K_NONE, .terms_scaled = 0, .wide = FD_K_NONE,
        .finish = FD_FIN_ENTROPY,
        .logit_form = FD_LG_NONE, .logit_terms = FD_K_NONE,
        .alpha_one = FD_ENTROPY,
        .renyi = FD_K_RENT, .renyi_wide = FD_K_RENTW, .renyi_max = FD_K_RENT_MAX,
        .renyi_lse = FD_K_RENT_LSE, .renyi_zero = FD_K_RENT0, .renyi_inf = FD_K_PMAX,
    },
    [FD_RENYI_DIVERGENCE] = {
        .name = "renyi_divergence", .nin = 2,
        .onepass = FD_K_NONE, .onepass_form = FD_OP_NONE,
        .terms = FD_K_NONE, .terms_scaled = 0, .wide = FD_K_NONE,
        .finish = FD_FIN_DIVERGENCE,
        .logit_form = FD_LG_NONE, .logit_terms = FD_K_NONE,
        .alpha_one = FD_KL,
        .renyi = FD_K_RDIV, .renyi_wide = FD_K_RDIVW, .renyi_max = FD_K_RDIV_MAX,
        .renyi_lse = FD_K_RDIV_LSE, .renyi_zero = FD_K_RDIV0, .renyi_inf = FD_K_RDIVINF,
    },
};
