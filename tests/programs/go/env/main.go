// env: os.Args (without argv[0]), os.Getenv/LookupEnv/Environ and the exit code from
// os.Exit with the number given as the first argument.
package main

import (
	"fmt"
	"os"
	"sort"
	"strconv"
)

func main() {
	fmt.Println("argc:", len(os.Args))
	for i, a := range os.Args[1:] {
		fmt.Printf("arg %d: %q\n", i+1, a)
	}
	env := os.Environ()
	sort.Strings(env)
	fmt.Println("environ:", env)
	v, ok := os.LookupEnv("GREETING")
	fmt.Printf("GREETING=%q %v\n", v, ok)
	_, ok = os.LookupEnv("NOT_SET")
	fmt.Println("NOT_SET present:", ok)
	wd, err := os.Getwd()
	fmt.Println("cwd:", wd, err)
	if len(os.Args) > 1 {
		if code, err := strconv.Atoi(os.Args[1]); err == nil {
			os.Exit(code)
		}
	}
}
