/* plugin.so: loaded by nothing in its tree (a host program dlopens it); needs libdep.so.
   Loader-oracle trees, tests/loader_oracle.rs. */
int dep(void);
int plugin_entry(void) { return dep(); }
