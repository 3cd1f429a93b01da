/* A library whose thread-local counter uses the initial-exec model: the linker marks it
   DF_STATIC_TLS, and dlopen must find room in the static TLS block for it. */
static __thread char scratch[4096] __attribute__((tls_model("initial-exec")));

int static_tls_touch(int i)
{
    scratch[i & 4095] ^= 1;
    return scratch[0];
}
