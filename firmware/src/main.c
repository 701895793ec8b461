#include "app.h"
#include "board.h"

/* Bare-metal startup code calls main(0, NULL); the host build gets its command line. */
int main(int argc, char **argv) {
    board_init(argc, argv);
    app_run();
    board_exit(0);
    return 0;
}
