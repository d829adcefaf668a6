# cython: language_level=3
"""The compiled entry points of the measures on joint tables
(fastdiv.joint_entropy, conditional_entropy, mutual_information)."""
