/* Floating point: printf conversions, libm, strtod of hard cases, rounding modes, and the
 * RISC-V specific results (canonical NaN, saturating float->int conversion). Raw bit
 * patterns are printed next to values so a one-ulp difference is visible. */
#include <errno.h>
#include <fenv.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t bits(double d)
{
    uint64_t u;
    memcpy(&u, &d, 8);
    return u;
}

static uint32_t bitsf(float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    return u;
}

static void show(const char *what, double d)
{
    printf("%-14s %016llx %.17g\n", what, (unsigned long long)bits(d), d);
}

static void test_printf(void)
{
    static const double vals[] = {0.0, -0.0, 1.0, -1.5, 0.1, 1.0 / 3, 2.5, 3.5, 1e-5, 123456789.125,
                                  1e21, 1e-300, DBL_MAX, DBL_MIN, 4.9406564584124654e-324, M_PI};
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
        double v = vals[i];
        printf("%%f=%f %%.3e=%.3e %%g=%g %%.10g=%.10g %%a=%a\n", v, v, v, v, v);
    }
    printf("%.0f %.0f %.0f %.0f (round half even)\n", 0.5, 1.5, 2.5, -2.5);
    printf("%.2f %.1f %.20f\n", 2.675, 0.25, 0.1);
    printf("%10.4f|%-10.2e|%+g|% g|%#g|%08.3f\n", M_E, -M_E, 1.0, 2.0, 3.0, -1.25);
    printf("inf=%f -inf=%e nan=%g\n", INFINITY, -INFINITY, NAN);
    printf("float %f %a\n", (double)1.1f, (double)1.1f);
}

static void test_libm(void)
{
    volatile double x = 0.7, y = 2.5, big = 1e10;
    show("sin(0.7)", sin(x));
    show("cos(0.7)", cos(x));
    show("tan(0.7)", tan(x));
    show("sin(1e10)", sin(big));
    show("exp(2.5)", exp(y));
    show("log(2.5)", log(y));
    show("log10(2.5)", log10(y));
    show("log2(2.5)", log2(y));
    show("pow(0.7,2.5)", pow(x, y));
    show("pow(2,0.5)", pow(2.0, 0.5));
    show("sqrt(2)", sqrt(2.0));
    show("cbrt(2.5)", cbrt(y));
    show("atan2(.7,2.5)", atan2(x, y));
    show("hypot(.7,2.5)", hypot(x, y));
    show("fma", fma(0.1, 10.0, -1.0));
    show("0.1*10-1", x * 0 + 0.1 * 10.0 - 1.0);
    show("fmod(10,3.3)", fmod(10.0, 3.3));
    show("sinh(2.5)", sinh(y));
    show("erf(0.7)", erf(x));
    show("tgamma(2.5)", tgamma(y));
    show("expm1(1e-10)", expm1(1e-10));
    show("log1p(1e-10)", log1p(1e-10));
    printf("sqrtf(2)=%08x fmaf=%08x sinf(0.7)=%08x expf(2.5)=%08x\n", bitsf(sqrtf(2.0f)),
           bitsf(fmaf(0.1f, 10.0f, -1.0f)), bitsf(sinf((float)x)), bitsf(expf((float)y)));
    double ip;
    double fp = modf(-3.75, &ip);
    int e;
    double m = frexp(1536.0, &e);
    printf("modf(-3.75)=%g,%g frexp(1536)=%g,%d ldexp=%g\n", fp, ip, m, e, ldexp(0.75, 11));
}

static void test_strtod(void)
{
    static const char *const s[] = {
        "0.1", "1e-400", "2.2250738585072011e-308", "2.2250738585072014e-308", "4.9406564584124654e-324",
        "2.4703282292062327e-324", "2.4703282292062328e-324", "1.7976931348623157e308", "1.7976931348623159e308",
        "1e309", "0x1.8p3", "0x1p-1074", "-0", "nan", "-inf", "Infinity", "123456789012345678901234567890",
        "9007199254740993", "9007199254740993.0000000001", "  +12.5e+2xyz", ".5", "5.", "1e", "abc",
        "0.000000000000000000000000000000000000000000001e45", "3.14159265358979323846264338327950288",
    };
    for (size_t i = 0; i < sizeof s / sizeof s[0]; i++) {
        char *end;
        errno = 0;
        double d = strtod(s[i], &end);
        printf("strtod(\"%s\") = %016llx %.17g consumed=%d %s\n", s[i], (unsigned long long)bits(d), d,
               (int)(end - s[i]), errno == ERANGE ? "ERANGE" : errno ? "errno?" : "");
    }
    errno = 0;
    float f = strtof("3.4028236e38", NULL);
    printf("strtof overflow %08x %s\n", bitsf(f), errno == ERANGE ? "ERANGE" : "");
    printf("strtof(0.1)=%08x atof(2.5e-3)=%g\n", bitsf(strtof("0.1", NULL)), atof("2.5e-3"));
}

static void test_rounding(void)
{
    static const double v[] = {2.5, 3.5, -2.5, 2.4999999999999996, -0.5, 1e16 + 1};
    static const int modes[] = {FE_TONEAREST, FE_UPWARD, FE_DOWNWARD, FE_TOWARDZERO};
    static const char *const names[] = {"nearest", "upward", "downward", "towardzero"};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        volatile double d = v[i];
        printf("%.17g: round=%g floor=%g ceil=%g trunc=%g lround=%ld", d, round(d), floor(d), ceil(d), trunc(d),
               lround(d));
        for (int m = 0; m < 4; m++) {
            fesetround(modes[m]);
            printf(" %s:rint=%g,llrint=%lld", names[m], rint(d), llrint(d));
            fesetround(FE_TONEAREST);
        }
        printf("\n");
    }
    /* Division result under each mode: the last bit moves. */
    for (int m = 0; m < 4; m++) {
        fesetround(modes[m]);
        volatile double one = 1.0, three = 3.0;
        double q = one / three;
        float qf = (float)one / (float)three;
        printf("1/3 %s: %016llx %08x\n", names[m], (unsigned long long)bits(q), bitsf(qf));
    }
    fesetround(FE_TONEAREST);

    feclearexcept(FE_ALL_EXCEPT);
    volatile double z = 0.0, o = 1.0;
    volatile double r = o / z;
    int ex = fetestexcept(FE_ALL_EXCEPT);
    printf("1/0=%g flags: divbyzero=%d invalid=%d\n", r, !!(ex & FE_DIVBYZERO), !!(ex & FE_INVALID));
    feclearexcept(FE_ALL_EXCEPT);
    r = o / 3.0;
    ex = fetestexcept(FE_ALL_EXCEPT);
    printf("1/3 flags: inexact=%d overflow=%d\n", !!(ex & FE_INEXACT), !!(ex & FE_OVERFLOW));
}

static void test_riscv(void)
{
    volatile double z = 0.0, inf = INFINITY, big = 1e30;
    double nan = z / z;
    printf("0/0 bits=%016llx (RISC-V canonical NaN)\n", (unsigned long long)bits(nan));
    volatile float zf = 0.0f;
    printf("0f/0f bits=%08x\n", bitsf(zf / zf));
    /* fcvt saturates on RISC-V; out-of-range casts are undefined in C, so use asm. */
    long r1, r2, r3, r4;
    unsigned long u1, u2;
    __asm__ volatile("fcvt.l.d %0, %1, rtz" : "=r"(r1) : "f"(nan));
    __asm__ volatile("fcvt.l.d %0, %1, rtz" : "=r"(r2) : "f"(inf));
    __asm__ volatile("fcvt.l.d %0, %1, rtz" : "=r"(r3) : "f"(-big));
    __asm__ volatile("fcvt.w.d %0, %1, rtz" : "=r"(r4) : "f"(big));
    __asm__ volatile("fcvt.lu.d %0, %1, rtz" : "=r"(u1) : "f"(-1.0));
    __asm__ volatile("fcvt.wu.d %0, %1, rtz" : "=r"(u2) : "f"(big));
    printf("fcvt.l.d nan=%ld inf=%ld -1e30=%ld fcvt.w.d 1e30=%ld fcvt.lu.d -1=%lu fcvt.wu.d 1e30=%lx\n", r1, r2,
           r3, r4, u1, u2);
    double mn, mx;
    volatile double one = 1.0;
    __asm__ volatile("fmin.d %0, %1, %2" : "=f"(mn) : "f"(nan), "f"(one));
    __asm__ volatile("fmax.d %0, %1, %2" : "=f"(mx) : "f"(-0.0), "f"(0.0));
    printf("fmin(nan,1)=%g fmax(-0,0)=%016llx\n", mn, (unsigned long long)bits(mx));
    long cls;
    __asm__ volatile("fclass.d %0, %1" : "=r"(cls) : "f"(-0.0));
    printf("fclass(-0)=%ld\n", cls);
    double sgn;
    __asm__ volatile("fsgnjn.d %0, %1, %2" : "=f"(sgn) : "f"(2.0), "f"(one));
    printf("fsgnjn(2,1)=%g\n", sgn);
}

int main(void)
{
    test_printf();
    test_libm();
    test_strtod();
    test_rounding();
    test_riscv();
    return 0;
}
