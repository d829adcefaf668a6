# Makes src/fastdiv a package for cimports: src/fastdiv/_rows.pxd is
# "fastdiv._rows", the module it declares.
