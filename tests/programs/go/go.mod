module rvrun.test/guests

go 1.23
