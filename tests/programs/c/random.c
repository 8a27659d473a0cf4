/* Entropy sources: getrandom(2), /dev/urandom, /dev/random and the AT_RANDOM bytes the
 * kernel puts in the auxiliary vector. Under rvrun all of them derive from --seed, so the
 * output is identical across runs with one seed and changes with another; under QEMU it is
 * truly random (a determinism-only case, no expected output). */
#include <fcntl.h>
#include <stdio.h>
#include <sys/auxv.h>
#include <sys/random.h>
#include <unistd.h>

static void hex(const char *label, const unsigned char *p, size_t n)
{
    printf("%s", label);
    for (size_t i = 0; i < n; i++)
        printf("%02x", p[i]);
    printf("\n");
}

static void from_file(const char *path)
{
    unsigned char b[16];
    int fd = open(path, O_RDONLY);
    ssize_t n = fd >= 0 ? read(fd, b, sizeof b) : -1;
    if (n != (ssize_t)sizeof b) {
        printf("%s: read failed\n", path);
    } else {
        char label[64];
        snprintf(label, sizeof label, "%s: ", path);
        hex(label, b, sizeof b);
    }
    if (fd >= 0)
        close(fd);
}

int main(void)
{
    unsigned char b[16];
    ssize_t n = getrandom(b, sizeof b, 0);
    if (n == (ssize_t)sizeof b)
        hex("getrandom: ", b, sizeof b);
    else
        printf("getrandom failed\n");
    n = getrandom(b, sizeof b, GRND_NONBLOCK);
    if (n == (ssize_t)sizeof b)
        hex("getrandom(NONBLOCK): ", b, sizeof b);
    from_file("/dev/urandom");
    from_file("/dev/random");
    const unsigned char *at = (const unsigned char *)getauxval(AT_RANDOM);
    if (at)
        hex("AT_RANDOM: ", at, 16);
    else
        printf("AT_RANDOM: missing\n");
    return 0;
}
