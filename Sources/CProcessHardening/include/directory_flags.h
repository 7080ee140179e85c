#ifndef JOURNEY_DIRECTORY_FLAGS_H
#define JOURNEY_DIRECTORY_FLAGS_H

// ioctl(2) is variadic, which Swift cannot call; this fixed-argument wrapper can be.

/// Marks the folder open at `fd` as the top of a directory hierarchy (FS_TOPDIR_FL through
/// FS_IOC_GETFLAGS/FS_IOC_SETFLAGS, `chattr +T`): ext4's allocator then spreads its
/// sub-folders over block groups instead of packing them beside it. Returns 0, or -1 with
/// errno set (ENOTTY or EOPNOTSUPP on file systems without the flag).
int journey_mark_top_directory(int fd);

#endif
