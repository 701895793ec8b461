/* The application: the serial protocol loop (docs/protocol.md). */
#ifndef APP_H
#define APP_H

/* Boot lines, model check, `# ready`. */
void app_boot(void);
/* Wait for one byte and act on it; 0 when the board's serial port has closed for good
 * (host builds reading a pipe), 1 otherwise. */
int app_poll(void);
/* app_boot, then app_poll until it returns 0. */
void app_run(void);

#endif
