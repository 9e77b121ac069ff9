// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* SHA-256 of a stream or a file, with OpenSSL's EVP (see sha256.h). */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>

#include <openssl/evp.h>

#include "util/sha256.h"

int sha256_stream(FILE *f, char out[SHA256_HEX_LEN + 1])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned char buf[65536];
	unsigned int md_len = 0;
	EVP_MD_CTX *ctx;
	size_t n;
	int ret = 0;

	ctx = EVP_MD_CTX_new();
	if (!ctx || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL)) {
		ret = -ENOMEM;
		goto out;
	}
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
		if (!EVP_DigestUpdate(ctx, buf, n)) {
			ret = -EIO;
			goto out;
		}
	}
	if (ferror(f)) {
		ret = -EIO;
		goto out;
	}
	if (!EVP_DigestFinal_ex(ctx, md, &md_len) || md_len != 32) {
		ret = -EIO;
		goto out;
	}
	for (unsigned int i = 0; i < md_len; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
out:
	EVP_MD_CTX_free(ctx);
	return ret;
}

int sha256_file(const char *path, char out[SHA256_HEX_LEN + 1])
{
	FILE *f = fopen(path, "rb");
	int ret;

	if (!f)
		return -errno;
	ret = sha256_stream(f, out);
	fclose(f);
	return ret;
}

static void *sha256_job_thread(void *arg)
{
	struct sha256_job *job = arg;

	job->ret = sha256_file(job->path, job->hex);
	return NULL;
}

void sha256_job_start(struct sha256_job *job)
{
	if (job->taken)
		return;
	job->taken = true;
	job->running = pthread_create(&job->tid, NULL, sha256_job_thread,
				      job) == 0;
	if (!job->running)
		sha256_job_thread(job);
}

int sha256_job_wait(struct sha256_job *job)
{
	if (job->running) {
		pthread_join(job->tid, NULL);
		job->running = false;
	}
	return job->ret;
}
