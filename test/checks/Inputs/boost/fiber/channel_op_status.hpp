// Mock <boost/fiber/channel_op_status.hpp> for the tether check tests.
#pragma once
namespace boost {
namespace fibers {
enum class channel_op_status { success = 0, empty, full, closed, timeout };
} // namespace fibers
} // namespace boost
