/* A libz.so.1 that does not define z_stub (app_z.c needs it): the loader finds the library and
   then cannot bind the symbol. Loader-oracle trees, tests/loader_oracle.rs. */
int z_other(void) { return 2; }
