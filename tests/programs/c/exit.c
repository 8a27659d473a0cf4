/* Exit paths: "ret N" returns N from main, "exit N" calls exit(N) (with atexit handlers and
 * a stdio buffer to flush), "_exit N" skips both, "abort" raises SIGABRT (shell status 134). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void bye(void)
{
    printf("atexit handler ran\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: exit ret N | exit N | _exit N | abort\n");
        return 2;
    }
    atexit(bye);
    /* Left in the stdio buffer (stdout is a pipe or file): only flushed by a normal exit. */
    printf("mode %s\n", argv[1]);
    int code = argc > 2 ? atoi(argv[2]) : 0;
    if (strcmp(argv[1], "ret") == 0)
        return code;
    if (strcmp(argv[1], "exit") == 0)
        exit(code);
    if (strcmp(argv[1], "_exit") == 0)
        _exit(code);
    if (strcmp(argv[1], "abort") == 0) {
        printf("aborting\n");
        fflush(stdout); /* abort() does not flush stdio */
        abort();
    }
    fprintf(stderr, "unknown mode\n");
    return 2;
}
