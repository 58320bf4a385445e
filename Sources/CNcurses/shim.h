#ifndef SDDCAL_CNCURSES_SHIM_H
#define SDDCAL_CNCURSES_SHIM_H
#define NCURSES_WIDECHAR 1
#define _XOPEN_SOURCE_EXTENDED 1
#include <locale.h>
#include <langinfo.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>
#include <wchar.h>
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
static inline unsigned int sdd_a_normal(void) { return A_NORMAL; }

// Key codes the inspector binds.
static inline int sdd_key_up(void) { return KEY_UP; }
static inline int sdd_key_down(void) { return KEY_DOWN; }
static inline int sdd_key_left(void) { return KEY_LEFT; }
static inline int sdd_key_right(void) { return KEY_RIGHT; }
static inline int sdd_key_sleft(void) { return KEY_SLEFT; }
static inline int sdd_key_sright(void) { return KEY_SRIGHT; }
static inline int sdd_key_sup(void) { return KEY_SR; }
static inline int sdd_key_sdown(void) { return KEY_SF; }
static inline int sdd_key_ppage(void) { return KEY_PPAGE; }
static inline int sdd_key_npage(void) { return KEY_NPAGE; }
static inline int sdd_key_home(void) { return KEY_HOME; }
static inline int sdd_key_end(void) { return KEY_END; }
static inline int sdd_key_enter(void) { return KEY_ENTER; }
static inline int sdd_key_btab(void) { return KEY_BTAB; }
static inline int sdd_key_backspace(void) { return KEY_BACKSPACE; }
static inline int sdd_key_f0(void) { return KEY_F0; }
static inline int sdd_key_code_yes(void) { return KEY_CODE_YES; }

/// Reads one key: returns OK (character), KEY_CODE_YES (function key) or ERR (timeout), the key in *out.
static inline int sdd_get_key(WINDOW *w, int32_t *out) {
    wint_t ch = 0;
    int r = wget_wch(w, &ch);
    *out = (int32_t)ch;
    return r;
}

/// Writes n wide characters at (y, x) with attributes and a colour pair.
static inline int sdd_put(WINDOW *w, int y, int x, const int32_t *text, int n, unsigned int attrs, short pair) {
    wattr_set(w, (attr_t)attrs, pair, NULL);
    return mvwaddnwstr(w, y, x, (const wchar_t *)text, n);
}

/// Whether the terminal can move the cursor (terminfo `cup`); `dumb` and the like cannot.
static inline int sdd_can_address_cursor(void) {
    char *s = tigetstr("cup");
    return s != NULL && s != (char *)-1;
}

/// Whether the locale's character set is UTF-8 (after setlocale).
static inline int sdd_locale_is_utf8(void) {
    const char *c = nl_langinfo(CODESET);
    return c && (c[0] == 'U' || c[0] == 'u') && (c[1] == 'T' || c[1] == 't') && (c[2] == 'F' || c[2] == 'f');
}

// Bytes this process has passed to write(2) so far (Linux /proc/self/io `wchar`), 0 if unknown.
// While the inspector runs only the terminal output is written, so the difference around one
// frame is the bytes that frame sent to the terminal.
static inline uint64_t sdd_bytes_written(void) {
    FILE *f = fopen("/proc/self/io", "r");
    if (!f) return 0;
    char key[64];
    unsigned long long v = 0, out = 0;
    while (fscanf(f, "%63s %llu", key, &v) == 2) {
        if (key[0] == 'w' && key[1] == 'c' && key[2] == 'h') { out = v; break; }
    }
    fclose(f);
    return (uint64_t)out;
}

// On a crash (trap, abort, segfault, bad system call) put the terminal back before dying: best
// effort, then the default action so the exit status and core dump stay as they were.
static inline void sdd_on_crash(int s) {
    endwin();
    signal(s, SIG_DFL);
    raise(s);
}
static inline void sdd_install_crash_restore(void) {
    signal(SIGILL, sdd_on_crash);
    signal(SIGTRAP, sdd_on_crash);
    signal(SIGABRT, sdd_on_crash);
    signal(SIGSEGV, sdd_on_crash);
    signal(SIGBUS, sdd_on_crash);
    signal(SIGFPE, sdd_on_crash);
    signal(SIGSYS, sdd_on_crash);
}
#endif
