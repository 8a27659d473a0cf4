/* Copies stdin to stdout with raw read/write in odd-sized chunks. stdout must stay an exact
 * copy, so the byte count and FNV-1a hash go to stderr (checked only for determinism). */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

int main(void)
{
    static char buf[3000]; /* not a power of two: exercises partial reads */
    uint64_t total = 0, h = 1469598103934665603ULL;
    for (;;) {
        ssize_t n = read(0, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            perror("read");
            return 1;
        }
        if (n == 0)
            break;
        for (ssize_t i = 0; i < n; i++)
            h = (h ^ (unsigned char)buf[i]) * 1099511628211ULL;
        for (ssize_t off = 0; off < n;) {
            ssize_t w = write(1, buf + off, n - off);
            if (w < 0) {
                perror("write");
                return 1;
            }
            off += w;
        }
        total += n;
    }
    fprintf(stderr, "cat: %llu bytes, fnv1a %016llx\n", (unsigned long long)total, (unsigned long long)h);
    return 0;
}
