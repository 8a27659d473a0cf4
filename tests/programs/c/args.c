/* Echoes argv[1..] and the environment. argv[0] is never printed: it is the host path
 * under QEMU and whatever rvrun chooses, so it would make the output host-specific.
 * The environment is printed sorted because QEMU's -E does not keep the given order. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char **environ;

static int cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
    printf("argc=%d\n", argc);
    for (int i = 1; i < argc; i++)
        printf("argv[%d]=[%s] len=%zu\n", i, argv[i], strlen(argv[i]));
    if (argv[argc] != NULL)
        printf("argv not NULL-terminated!\n");

    size_t n = 0;
    while (environ[n])
        n++;
    char **env = malloc((n + 1) * sizeof *env);
    memcpy(env, environ, n * sizeof *env);
    qsort(env, n, sizeof *env, cmp);
    printf("envc=%zu\n", n);
    for (size_t i = 0; i < n; i++)
        printf("env: %s\n", env[i]);

    const char *h = getenv("HOME");
    printf("getenv(HOME)=%s\n", h ? h : "(unset)");
    const char *g = getenv("GREETING");
    printf("getenv(GREETING)=%s\n", g ? g : "(unset)");
    return 0;
}
