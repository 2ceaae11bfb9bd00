// SPDX-License-Identifier: MIT
pragma solidity 0.8.26;

/// @title BlacklistableStablecoin
/// @notice A USDT-like ERC-20 whose issuer can blacklist an address (its transfers then fail) and
/// destroy the blacklisted balance, as Tether does with `addBlackList` / `destroyBlackFunds`.
contract BlacklistableStablecoin {
    string public name;
    string public symbol;
    uint8 public immutable decimals;
    uint256 public totalSupply;
    address public issuer;

    mapping(address => uint256) public balanceOf;
    mapping(address => mapping(address => uint256)) public allowance;
    mapping(address => bool) public isBlackListed;

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);
    event AddedBlackList(address indexed user);
    event RemovedBlackList(address indexed user);
    event DestroyedBlackFunds(address indexed blackListedUser, uint256 balance);
    event Issue(uint256 amount);

    modifier onlyIssuer() {
        require(msg.sender == issuer, "not issuer");
        _;
    }

    constructor(string memory name_, string memory symbol_, uint8 decimals_) {
        name = name_;
        symbol = symbol_;
        decimals = decimals_;
        issuer = msg.sender;
    }

    function issue(address to, uint256 amount) external onlyIssuer {
        totalSupply += amount;
        balanceOf[to] += amount;
        emit Issue(amount);
        emit Transfer(address(0), to, amount);
    }

    function transfer(address to, uint256 value) external returns (bool) {
        _transfer(msg.sender, to, value);
        return true;
    }

    function approve(address spender, uint256 value) external returns (bool) {
        allowance[msg.sender][spender] = value;
        emit Approval(msg.sender, spender, value);
        return true;
    }

    function transferFrom(address from, address to, uint256 value) external returns (bool) {
        require(!isBlackListed[msg.sender], "spender blacklisted");
        uint256 allowed = allowance[from][msg.sender];
        require(allowed >= value, "allowance");
        if (allowed != type(uint256).max) {
            allowance[from][msg.sender] = allowed - value;
        }
        _transfer(from, to, value);
        return true;
    }

    function addBlackList(address user) external onlyIssuer {
        isBlackListed[user] = true;
        emit AddedBlackList(user);
    }

    function removeBlackList(address user) external onlyIssuer {
        isBlackListed[user] = false;
        emit RemovedBlackList(user);
    }

    /// @notice Burns the whole balance of a blacklisted address.
    function destroyBlackFunds(address user) external onlyIssuer {
        require(isBlackListed[user], "not blacklisted");
        uint256 amount = balanceOf[user];
        balanceOf[user] = 0;
        totalSupply -= amount;
        emit DestroyedBlackFunds(user, amount);
        emit Transfer(user, address(0), amount);
    }

    function _transfer(address from, address to, uint256 value) internal {
        require(!isBlackListed[from], "sender blacklisted");
        require(balanceOf[from] >= value, "balance");
        balanceOf[from] -= value;
        balanceOf[to] += value;
        emit Transfer(from, to, value);
    }
}
