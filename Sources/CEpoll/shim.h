/* Linux event notification: epoll(7) and eventfd(2), which Glibc does not export to Swift. */
#include <sys/epoll.h>
#include <sys/eventfd.h>
