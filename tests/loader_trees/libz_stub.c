/* A stand-in libz.so.1 (soname libz.so.1): only its name matters to the loader.
   Loader-oracle trees, tests/loader_oracle.rs. */
int z_stub(void) { return 1; }
