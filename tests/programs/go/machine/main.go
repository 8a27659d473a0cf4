// machine: what the Go runtime and standard library learn about the machine: the CPU count
// (sched_getaffinity) and GOMAXPROCS, the current user (os/user reads /etc/passwd and
// /etc/group without cgo), the local time zone (/etc/localtime) and the host name.
package main

import (
	"fmt"
	"os"
	"os/user"
	"runtime"
	"time"
)

func main() {
	fmt.Println("NumCPU:", runtime.NumCPU())
	fmt.Println("GOMAXPROCS:", runtime.GOMAXPROCS(0))
	u, err := user.Current()
	if err != nil {
		fmt.Println("user.Current:", err)
	} else {
		fmt.Printf("user: %s uid %s gid %s home %s\n", u.Username, u.Uid, u.Gid, u.HomeDir)
	}
	if g, err := user.LookupGroupId("1000"); err == nil {
		fmt.Println("group 1000:", g.Name)
	} else {
		fmt.Println("group 1000:", err)
	}
	if r, err := user.Lookup("root"); err == nil {
		fmt.Println("root home:", r.HomeDir)
	}
	name, off := time.Unix(0, 0).In(time.Local).Zone()
	fmt.Println("local zone:", time.Local.String(), name, off)
	h, err := os.Hostname()
	fmt.Println("hostname:", h, err)
}
