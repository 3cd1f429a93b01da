/* libdep.so: the plugin's dependency. Loader-oracle trees, tests/loader_oracle.rs. */
int dep(void) { return 7; }
