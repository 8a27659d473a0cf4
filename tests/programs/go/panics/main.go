// panics: recover from a nil dereference (SIGSEGV turned into a runtime panic), explicit
// panics, defer order, closures, and the exit code from os.Exit.
package main

import (
	"errors"
	"fmt"
	"os"
)

type T struct{ x int }

func nilDeref() (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg = fmt.Sprint("recovered: ", r)
		}
	}()
	var p *T
	return fmt.Sprint(p.x)
}

func divZero(a, b int) (res int, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("recovered: %v", r)
		}
	}()
	return a / b, nil
}

func index(s []int, i int) (v int, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	return s[i], nil
}

func deferOrder() {
	for i := 0; i < 4; i++ {
		defer fmt.Println("deferred", i)
	}
	fmt.Println("body of deferOrder")
}

var ErrCustom = errors.New("custom error")

func customPanic() (err error) {
	defer func() {
		if r := recover(); r != nil {
			if e, ok := r.(error); ok {
				err = e
			}
		}
	}()
	panic(fmt.Errorf("wrapped: %w", ErrCustom))
}

func counter() func() int {
	c := 0
	return func() int {
		c++
		return c
	}
}

func main() {
	fmt.Println(nilDeref())
	fmt.Println(nilDeref())
	_, err := divZero(1, 0)
	fmt.Println(err)
	_, err = index([]int{1, 2, 3}, 5)
	fmt.Println(err)
	deferOrder()
	err = customPanic()
	fmt.Println("custom:", err, errors.Is(err, ErrCustom))
	next := counter()
	next()
	next()
	fmt.Println("closure counter:", next())
	defer fmt.Println("this deferred call must not run: os.Exit skips defers")
	os.Exit(7)
}
