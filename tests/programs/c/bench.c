/* Compute-bound benchmark in the spirit of CoreMark: linked-list search/sort/reverse, small
 * integer matrix multiply, a token-classifying state machine and CRC-16, all folded into a
 * CRC that is printed at the end. Integer only, no syscalls in the loop. argv[1] sets the
 * iteration count; the default is sized to take about 4 seconds under qemu-riscv64. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_ITERATIONS 24000

static uint16_t crc16_byte(uint8_t data, uint16_t crc)
{
    for (int i = 0; i < 8; i++) {
        uint8_t x16 = (data & 1) ^ (crc & 1);
        data >>= 1;
        if (x16) {
            crc ^= 0x4002;
            crc = (crc >> 1) | 0x8000;
        } else {
            crc >>= 1;
        }
    }
    return crc;
}

static uint16_t crc16(uint32_t v, uint16_t crc)
{
    for (int i = 0; i < 4; i++)
        crc = crc16_byte((uint8_t)(v >> (8 * i)), crc);
    return crc;
}

/* ---- linked list ---- */
typedef struct node {
    struct node *next;
    int16_t data, idx;
} node;

#define LIST_N 200
static node pool[LIST_N];

static node *list_init(uint32_t seed)
{
    node *head = NULL;
    for (int i = LIST_N - 1; i >= 0; i--) {
        seed = seed * 1664525u + 1013904223u;
        pool[i].data = (int16_t)(seed >> 17);
        pool[i].idx = (int16_t)i;
        pool[i].next = head;
        head = &pool[i];
    }
    return head;
}

static int cmp_data(const node *a, const node *b)
{
    return a->data - b->data;
}

static int cmp_idx(const node *a, const node *b)
{
    return a->idx - b->idx;
}

/* Bottom-up merge sort on a singly linked list (as CoreMark does). */
static node *list_sort(node *list, int (*cmp)(const node *, const node *))
{
    int insize = 1;
    for (;;) {
        node *p = list, *tail = NULL;
        list = NULL;
        int merges = 0;
        while (p) {
            merges++;
            node *q = p;
            int psize = 0;
            for (int i = 0; i < insize && q; i++) {
                psize++;
                q = q->next;
            }
            int qsize = insize;
            while (psize > 0 || (qsize > 0 && q)) {
                node *e;
                if (psize == 0) {
                    e = q; q = q->next; qsize--;
                } else if (qsize == 0 || !q || cmp(p, q) <= 0) {
                    e = p; p = p->next; psize--;
                } else {
                    e = q; q = q->next; qsize--;
                }
                if (tail)
                    tail->next = e;
                else
                    list = e;
                tail = e;
            }
            p = q;
        }
        tail->next = NULL;
        if (merges <= 1)
            return list;
        insize *= 2;
    }
}

static node *list_reverse(node *l)
{
    node *prev = NULL;
    while (l) {
        node *n = l->next;
        l->next = prev;
        prev = l;
        l = n;
    }
    return prev;
}

static uint16_t bench_list(uint32_t seed, uint16_t crc)
{
    node *l = list_init(seed);
    int found = 0, missed = 0;
    for (int i = 0; i < 40; i++) {
        int16_t want = (int16_t)((i * 97 + seed) & 0x3fff);
        node *n = l;
        while (n && (n->data & 0x3fff) != want)
            n = n->next;
        if (n)
            found += n->idx;
        else
            missed++;
    }
    l = list_sort(l, cmp_data);
    for (node *n = l; n; n = n->next)
        crc = crc16((uint32_t)n->data, crc);
    l = list_reverse(l);
    crc = crc16((uint32_t)l->data, crc);
    l = list_sort(l, cmp_idx);
    crc = crc16((uint32_t)(found * 65536 + missed), crc);
    return crc16((uint32_t)l->data, crc);
}

/* ---- matrix ---- */
#define MN 24
static int32_t ma[MN][MN], mb[MN][MN], mc[MN][MN];

static uint16_t bench_matrix(uint32_t seed, uint16_t crc)
{
    for (int i = 0; i < MN; i++)
        for (int j = 0; j < MN; j++) {
            seed = seed * 1103515245u + 12345u;
            ma[i][j] = (int32_t)(seed >> 20) - 2048;
            mb[i][j] = (int32_t)((seed >> 8) & 0xfff) - 2048;
        }
    for (int i = 0; i < MN; i++)
        for (int j = 0; j < MN; j++) {
            int32_t s = 0;
            for (int k = 0; k < MN; k++)
                s += ma[i][k] * mb[k][j];
            mc[i][j] = s;
        }
    int64_t sum = 0;
    int32_t maxv = INT32_MIN;
    for (int i = 0; i < MN; i++)
        for (int j = 0; j < MN; j++) {
            sum += mc[i][j] / 7 + mc[i][j] % 13;
            if (mc[i][j] > maxv)
                maxv = mc[i][j];
            mc[i][j] = (mc[i][j] >> 3) ^ ma[i][j];
        }
    crc = crc16((uint32_t)sum, crc);
    crc = crc16((uint32_t)(sum >> 32), crc);
    return crc16((uint32_t)maxv, crc);
}

/* ---- state machine over a text of numeric-looking tokens ---- */
enum state { START, INT, FLOAT, EXP, SCI, INVALID, NSTATES };

static enum state classify(const char **pp, unsigned counts[NSTATES])
{
    const char *p = *pp;
    enum state s = START;
    for (; *p && *p != ','; p++) {
        char c = *p;
        counts[s]++;
        switch (s) {
        case START:
            if (c >= '0' && c <= '9') s = INT;
            else if (c == '+' || c == '-') s = INT;
            else if (c == '.') s = FLOAT;
            else s = INVALID;
            break;
        case INT:
            if (c == '.') s = FLOAT;
            else if (c == 'e' || c == 'E') s = EXP;
            else if (c < '0' || c > '9') s = INVALID;
            break;
        case FLOAT:
            if (c == 'e' || c == 'E') s = EXP;
            else if (c < '0' || c > '9') s = INVALID;
            break;
        case EXP:
            if (c == '+' || c == '-' || (c >= '0' && c <= '9')) s = SCI;
            else s = INVALID;
            break;
        case SCI:
            if (c < '0' || c > '9') s = INVALID;
            break;
        default:
            break;
        }
    }
    *pp = *p ? p + 1 : p;
    return s;
}

static char text[2048];

static uint16_t bench_state(uint32_t seed, uint16_t crc)
{
    static const char *const tokens[] = {"5012", "1234", "-874", "+122", "35.54400", ".1234500", "-110.700",
                                         "+0.64400", "5.500e+3", "-.123e-2", "-87e+832", "+0.6e-12",
                                         "T0.3e-1F", "-T.T++Tq", "1T3.4e4z", "34.0e-T^"};
    size_t len = 0;
    while (len < sizeof text - 16) {
        seed = seed * 69069u + 1u;
        const char *t = tokens[(seed >> 16) % 16];
        size_t n = strlen(t);
        memcpy(text + len, t, n);
        len += n;
        text[len++] = ',';
    }
    text[len] = 0;
    unsigned counts[NSTATES] = {0}, finals[NSTATES] = {0};
    for (const char *p = text; *p;)
        finals[classify(&p, counts)]++;
    for (int i = 0; i < NSTATES; i++) {
        crc = crc16(counts[i], crc);
        crc = crc16(finals[i], crc);
    }
    return crc;
}

int main(int argc, char **argv)
{
    long iterations = argc > 1 ? atol(argv[1]) : DEFAULT_ITERATIONS;
    uint16_t crc = 0;
    for (long i = 0; i < iterations; i++) {
        uint32_t seed = (uint32_t)i * 2654435761u;
        crc = bench_list(seed, crc);
        crc = bench_matrix(seed, crc);
        crc = bench_state(seed, crc);
    }
    printf("bench: %ld iterations, crc %04x\n", iterations, crc);
    return 0;
}
