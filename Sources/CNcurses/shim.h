#ifndef SDDCAL_CNCURSES_SHIM_H
#define SDDCAL_CNCURSES_SHIM_H
#define NCURSES_WIDECHAR 1
#define _XOPEN_SOURCE_EXTENDED 1
#include <locale.h>
#include <ncursesw/curses.h>

// Macros and variadic functions are invisible to Swift: expose them as inline functions.
static inline int sdd_color_pair(int n) { return COLOR_PAIR(n); }
static inline int sdd_getmaxy(WINDOW *w) { return getmaxy(w); }
static inline int sdd_getmaxx(WINDOW *w) { return getmaxx(w); }
static inline WINDOW *sdd_stdscr(void) { return stdscr; }
static inline int sdd_colors(void) { return COLORS; }
static inline int sdd_key_resize(void) { return KEY_RESIZE; }
static inline unsigned int sdd_a_bold(void) { return A_BOLD; }
static inline unsigned int sdd_a_reverse(void) { return A_REVERSE; }
static inline unsigned int sdd_a_dim(void) { return A_DIM; }
static inline unsigned int sdd_a_underline(void) { return A_UNDERLINE; }
#endif
