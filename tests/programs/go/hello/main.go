// hello: the smallest Go program; fmt over the runtime's start-up.
package main

import "fmt"

func main() {
	fmt.Println("hello from Go")
	fmt.Printf("%d %s %v %.3f\n", 42, "str", []int{1, 2, 3}, 3.14159)
}
