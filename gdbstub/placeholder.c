/* gdbstub/placeholder.c — keeps the library non-empty until the codec lands. */
int gdbstub_placeholder;
