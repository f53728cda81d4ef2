"""The commands of ``relayer-sim``, one module each; ``relayer_sim.cli`` wires them to the
parser.

A handler takes the parsed arguments and the console results go to, and returns the exit
code. Anything it cannot take (a file, a path, a value) it raises as ``BadInput``, which
``cli.main`` prints as one line on stderr with exit code 2.
"""
