// Dynamically linked against libstdc++. Built with GCC 12 it needs
// GLIBCXX_3.4.29 (basic_string::reserve()), GLIBCXX_3.4.30
// (condition_variable::wait), CXXABI_1.3.8 (__cxa_throw_bad_array_new_length)
// and CXXABI_1.3.9 (sized operator delete). The same source built against
// GCC 10's libstdc++ (bullseye) needs nothing newer than GLIBCXX_3.4.21.
#include <condition_variable>
#include <iostream>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>

static std::mutex m;
static std::condition_variable cv;
bool ready = true;  // not static: keeps the wait below from being folded away

int main(int argc, char **argv)
{
    std::string s = "hello from C++";
    s.reserve();
    {
        std::unique_lock<std::mutex> lk(m);
        cv.wait(lk, [] { return ready; });
    }
    auto p = std::make_unique<int[]>(argc);
    auto w = std::make_unique<std::string>(s);
    try {
        if (argc > 5)
            throw std::runtime_error(argv[1]);
    } catch (const std::exception &e) {
        std::cerr << e.what() << '\n';
    }
    std::cout << *w << ' ' << p[0] << std::endl;
    return 0;
}
