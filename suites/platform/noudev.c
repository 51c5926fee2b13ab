// Static aarch64 links only: Debian's arm64 libhwloc.a calls libudev, which ships no static
// library. hwloc treats a NULL udev as "no udev" and skips the OS-device details it would add.
#include <stddef.h>

struct udev;
struct udev_device;

struct udev *udev_new(void);
struct udev *udev_unref(struct udev *u);
struct udev_device *udev_device_new_from_subsystem_sysname(struct udev *u, const char *subsystem, const char *name);
struct udev_device *udev_device_unref(struct udev_device *d);
const char *udev_device_get_property_value(struct udev_device *d, const char *key);

struct udev *udev_new(void) { return NULL; }
struct udev *udev_unref(struct udev *u) { (void)u; return NULL; }
struct udev_device *udev_device_new_from_subsystem_sysname(struct udev *u, const char *subsystem, const char *name) {
  (void)u, (void)subsystem, (void)name;
  return NULL;
}
struct udev_device *udev_device_unref(struct udev_device *d) { (void)d; return NULL; }
const char *udev_device_get_property_value(struct udev_device *d, const char *key) {
  (void)d, (void)key;
  return NULL;
}
