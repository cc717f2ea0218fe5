"""`make load` (`manage.py load`): the whole stack under an open-loop load at constant rates,
with a working day's mix of requests (issue 14). generator.py is the generator (standard library
only), mix.py the working day, stack.py the server processes, command in
devtools/management/commands/load.py."""
