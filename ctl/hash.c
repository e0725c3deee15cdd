// SPDX-License-Identifier: GPL-2.0 OR MIT
/* Hashing for fguardctl: SipHash-2-4 and SHA-256 from OpenSSL. */
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "policy.h"

/*
 * The kernel's siphash() with key {k0, k1} is SipHash-2-4 with the 16 key
 * bytes k0, k1 in little-endian order and a 64-bit little-endian result;
 * OpenSSL's SIPHASH MAC with an 8-byte output is the same function.
 */
u64 fg_hash(const void *data, size_t len, const siphash_key_t *key)
{
	static EVP_MAC *mac;
	static EVP_MAC_CTX *base;
	EVP_MAC_CTX *ctx;
	static siphash_key_t cur;
	unsigned char k[16], out[8];
	size_t outl = 0;
	u64 v = 0;
	int i;

	if (!mac) {
		mac = EVP_MAC_fetch(NULL, "SIPHASH", NULL);
		if (!mac) {
			fprintf(stderr, "OpenSSL has no SIPHASH\n");
			abort();
		}
	}
	if (!base || memcmp(&cur, key, sizeof(cur))) {
		unsigned int size = 8;
		OSSL_PARAM params[] = {
			OSSL_PARAM_construct_uint(OSSL_MAC_PARAM_SIZE, &size),
			OSSL_PARAM_construct_end(),
		};

		for (i = 0; i < 8; i++) {
			k[i] = (unsigned char)(key->key[0] >> (8 * i));
			k[8 + i] = (unsigned char)(key->key[1] >> (8 * i));
		}
		EVP_MAC_CTX_free(base);
		base = EVP_MAC_CTX_new(mac);
		if (!base || !EVP_MAC_init(base, k, sizeof(k), params))
			abort();
		cur = *key;
	}
	ctx = EVP_MAC_CTX_dup(base);
	if (!ctx || !EVP_MAC_update(ctx, data, len) ||
	    !EVP_MAC_final(ctx, out, &outl, sizeof(out)) || outl != 8)
		abort();
	EVP_MAC_CTX_free(ctx);
	for (i = 7; i >= 0; i--)
		v = (v << 8) | out[i];
	return v;
}

void fg_sha256_hex(const void *data, size_t len, char out[65])
{
	unsigned char md[32];
	unsigned int n = 0, i;

	if (!EVP_Digest(data, len, md, &n, EVP_sha256(), NULL) || n != 32)
		abort();
	for (i = 0; i < 32; i++)
		sprintf(out + 2 * i, "%02x", md[i]);
	out[64] = '\0';
}

void fg_random_key(siphash_key_t *key)
{
	if (getrandom(key, sizeof(*key), 0) != sizeof(*key))
		abort();
}
